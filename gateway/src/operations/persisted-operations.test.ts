import { ApolloServer, HeaderMap } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { MemoryDocumentCache } from './document-cache';
import { MANIFEST_FORMAT, OperationManifest, operationId } from './manifest';
import { safelistPlugin } from './persisted-operations';

const SAFE = 'query Hello { hello }';
const manifestOf = (operations: { id: string; name: string; type: string; body: string }[]) =>
  JSON.stringify({ format: MANIFEST_FORMAT, version: 1, operations });

describe('the manifest as the gateway reads it', () => {
  it('knows each operation by the SHA-256 of its exact body', () => {
    const manifest = OperationManifest.parse(manifestOf([{ id: operationId(SAFE), name: 'Hello', type: 'query', body: SAFE }]), 'test');
    expect(manifest.size).toBe(1);
    expect(manifest.body(operationId(SAFE))).toBe(SAFE);
    expect(manifest.body(operationId(`${SAFE} `))).toBeUndefined();
  });

  it('refuses a file of another format, or an operation whose id is not its body’s hash', () => {
    expect(() => OperationManifest.parse('{"operations":[]}', 'm.json')).toThrow(/m\.json is not an apollo-persisted-query-manifest/);
    expect(() => OperationManifest.parse(manifestOf([{ id: operationId(SAFE), name: 'Hello', type: 'query', body: '{ hello }' }]), 'm.json'))
      .toThrow(/operation 0 \(Hello\) whose id is not the SHA-256 of its body/);
  });
});

describe('documents kept in the process (no REDIS_URL)', () => {
  it('lets the least recently used go past the bound, and each expire', async () => {
    const cache = new MemoryDocumentCache(3600, 10);
    await cache.set('a', 'aaaa');
    await cache.set('b', 'bbbb');
    expect(await cache.get('a')).toBe('aaaa'); // now the most recently used
    await cache.set('c', 'cccc');
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('aaaa');
    expect(await cache.get('c')).toBe('cccc');
    await cache.set('gone', 'x', { ttl: 0 });
    expect(await cache.get('gone')).toBeUndefined();
  });
});

describe('the safelist inside Apollo, behind the middleware', () => {
  async function aServer() {
    const manifest = OperationManifest.parse(manifestOf([{ id: operationId(SAFE), name: 'Hello', type: 'query', body: SAFE }]), 'test');
    const server = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'xin chào' } }, persistedQueries: false, plugins: [safelistPlugin(manifest)] });
    await server.start();
    const overHttp = async (query: string) => {
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: { query } },
        context: async () => ({}),
      });
      return { status: response.status ?? 200, body: JSON.parse(response.body.kind === 'complete' ? response.body.string : '') };
    };
    return { server, overHttp };
  }

  it('refuses over HTTP a document the manifest lacks, and runs the manifest’s', async () => {
    const { server, overHttp } = await aServer();
    try {
      const refused = await overHttp('{ hello }');
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
      expect((await overHttp(SAFE)).body).toEqual({ data: { hello: 'xin chào' } });
    } finally {
      await server.stop();
    }
  });

  it('leaves the gateway’s own in-process operations alone (they have no HTTP request)', async () => {
    const { server } = await aServer();
    try {
      const result = await server.executeOperation({ query: '{ hello }' });
      expect(result.body.kind === 'single' && result.body.singleResult).toMatchObject({ data: { hello: 'xin chào' } });
    } finally {
      await server.stop();
    }
  });
});
