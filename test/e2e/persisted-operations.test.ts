import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/index';
import { operationId, type PersistedQueryManifest } from '../../gateway/src/operations/manifest';
import type { RunningService } from '../../subgraphs/shared/src';
import { buildManifest, checkManifest, OperationsError, renderManifest } from '../../scripts/operations-manifest';
import { aLoggedInCitizen } from '../kit/builders';
import { testGatewayKeys } from '../kit/gateway-proof';
import { useStack, type Stack } from '../kit/stack';

const ROOT = path.join(__dirname, '../..');
const SUPERGRAPH = path.join(ROOT, 'schema/supergraph.graphql');
const OPERATIONS = path.join(ROOT, 'gateway', 'operations');
const MANIFEST = path.join(OPERATIONS, 'manifest.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as PersistedQueryManifest;
const operation = (name: string) => manifest.operations.find((o) => o.name === name)!;

function gatewayConfig(stack: Stack, overrides: Record<string, string | undefined> = {}) {
  return loadGatewayConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', SUPERGRAPH_PATH: SUPERGRAPH,
    IDENTITY_URL: `${stack.identity.url}/graphql`, DOCUMENTS_URL: `${stack.documents.url}/graphql`, PAYMENTS_URL: `${stack.payments.url}/graphql`,
    IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`, GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY,
    REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: stack.keyPrefix, PERSISTED_OPERATIONS_MANIFEST: MANIFEST,
    ...overrides,
  });
}

interface Answer { status: number; headers: Headers; data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }

async function postTo(url: string, body: Record<string, unknown>, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
}

/** A GET as an APQ client sends it (CSRF prevention wants the preflight header on a GET). */
async function getFrom(url: string, params: Record<string, unknown>): Promise<Answer> {
  const search = new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  const response = await fetch(`${url}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
  return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
}

const byHash = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

/** A document no other test sends, so its hash starts unknown. */
function aFreshDocument(): { query: string; hash: string } {
  const query = `query Probe_${randomBytes(6).toString('hex')} { publicService(code: "GPLX_EXCHANGE") { code name } }`;
  return { query, hash: operationId(query) };
}

describe('operations the portals may send', () => {
  const stack = useStack({ postalPoints: 20 });
  const apqKey = (hash: string) => `${stack.keyPrefix}apq:${hash}`;

  describe('automatic persisted queries (PERSISTED_OPERATIONS=apq, the default)', () => {
    it('answers an unknown hash PERSISTED_QUERY_NOT_FOUND, registers the document sent with it in Redis, then runs the hash alone', async () => {
      const { query, hash } = aFreshDocument();
      const miss = await postTo(stack.gatewayUrl, { extensions: byHash(hash) });
      expect(miss.status).toBe(200);
      expect(miss.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(miss.headers.get('cache-control')).toMatch(/no-cache/);

      const registered = await postTo(stack.gatewayUrl, { query, extensions: byHash(hash) });
      expect(registered.errors).toBeUndefined();
      expect(registered.data.publicService.code).toBe('GPLX_EXCHANGE');
      // Stored under the deployment's prefix, and it expires (APQ_TTL_SECONDS, an hour by default).
      await vi.waitFor(async () => expect(await stack.redis.get(apqKey(hash))).toBe(query));
      const ttl = await stack.redis.ttl(apqKey(hash));
      expect(ttl).toBeGreaterThan(3_500);
      expect(ttl).toBeLessThanOrEqual(3_600);

      const hit = await postTo(stack.gatewayUrl, { extensions: byHash(hash) });
      expect(hit.errors).toBeUndefined();
      expect(hit.data.publicService.name).toBe(registered.data.publicService.name);
    });

    it('shares registrations between replicas on one Redis: registered on one, run by hash on the other, by POST and by GET', async () => {
      const [one, other] = [await startGateway(gatewayConfig(stack)), await startGateway(gatewayConfig(stack))];
      try {
        const { query, hash } = aFreshDocument();
        expect((await postTo(`${other.url}/graphql`, { extensions: byHash(hash) })).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
        expect((await postTo(`${one.url}/graphql`, { query, extensions: byHash(hash) })).errors).toBeUndefined();
        await vi.waitFor(async () => expect(await stack.redis.exists(apqKey(hash))).toBe(1));

        const posted = await postTo(`${other.url}/graphql`, { extensions: byHash(hash) });
        expect(posted.errors).toBeUndefined();
        expect(posted.data.publicService.code).toBe('GPLX_EXCHANGE');
        const got = await getFrom(`${other.url}/graphql`, { extensions: byHash(hash) });
        expect(got.status).toBe(200);
        expect(got.errors).toBeUndefined();
        expect(got.data.publicService.code).toBe('GPLX_EXCHANGE');
      } finally {
        await one.stop();
        await other.stop();
      }
    });

    it('refuses a hash that is not the document’s, and stores nothing', async () => {
      const { query } = aFreshDocument();
      const wrong = operationId(`${query} `);
      const refused = await postTo(stack.gatewayUrl, { query, extensions: byHash(wrong) });
      expect(refused.status).toBe(400);
      expect(refused.errors?.[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'PERSISTED_QUERY_HASH_MISMATCH' });
      const malformed = await postTo(stack.gatewayUrl, { query, extensions: byHash('not-a-hash') });
      expect(malformed.status).toBe(400);
      expect(malformed.errors?.[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'PERSISTED_QUERY_HASH_INVALID' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await stack.redis.exists(apqKey(wrong), apqKey(operationId(query)))).toBe(0);
    });

    it('runs any operation (the safelist is off), and knows the manifest’s operations by hash from the start', async () => {
      const { query } = aFreshDocument();
      const anyOperation = await postTo(stack.gatewayUrl, { query });
      expect(anyOperation.errors).toBeUndefined();
      const catalogue = await postTo(stack.gatewayUrl, { extensions: byHash(operation('Catalogue').id) });
      expect(catalogue.errors).toBeUndefined();
      expect(catalogue.data.publicServices.edges.length).toBeGreaterThan(0);
    });

    it('fails open when Redis does not answer: a hash is a miss, and the document sent with it runs', async () => {
      const gateway = await startGateway(gatewayConfig(stack, { REDIS_URL: 'redis://127.0.0.1:1' }));
      try {
        const { query, hash } = aFreshDocument();
        const miss = await postTo(`${gateway.url}/graphql`, { extensions: byHash(hash) });
        expect(miss.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
        const whole = await postTo(`${gateway.url}/graphql`, { query, extensions: byHash(hash) });
        expect(whole.errors).toBeUndefined();
        expect(whole.data.publicService.code).toBe('GPLX_EXCHANGE');
      } finally {
        await gateway.stop();
      }
    });

    it('keeps registrations in the process without REDIS_URL', async () => {
      const gateway = await startGateway(gatewayConfig(stack, { REDIS_URL: undefined }));
      try {
        const { query, hash } = aFreshDocument();
        expect((await postTo(`${gateway.url}/graphql`, { query, extensions: byHash(hash) })).errors).toBeUndefined();
        await vi.waitFor(async () => expect((await postTo(`${gateway.url}/graphql`, { extensions: byHash(hash) })).data?.publicService.code).toBe('GPLX_EXCHANGE'));
        expect(await stack.redis.exists(apqKey(hash))).toBe(0);
      } finally {
        await gateway.stop();
      }
    });

    it('PERSISTED_OPERATIONS=off takes documents only: a hash is PERSISTED_QUERY_NOT_SUPPORTED', async () => {
      const gateway = await startGateway(gatewayConfig(stack, { PERSISTED_OPERATIONS: 'off' }));
      try {
        const { query, hash } = aFreshDocument();
        const hashed = await postTo(`${gateway.url}/graphql`, { query, extensions: byHash(hash) });
        expect(hashed.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
        expect((await postTo(`${gateway.url}/graphql`, { query })).errors).toBeUndefined();
      } finally {
        await gateway.stop();
      }
    });
  });

  describe('the safelist (PERSISTED_OPERATIONS=safelist, production)', () => {
    let gateway: RunningService;
    const url = () => `${gateway.url}/graphql`;
    beforeAll(async () => { gateway = await startGateway(gatewayConfig(stack, { NODE_ENV: 'production', PERSISTED_OPERATIONS: 'safelist' })); });
    afterAll(async () => { await gateway?.stop(); });

    it('runs an operation of the manifest sent whole', async () => {
      const catalogue = operation('Catalogue');
      const answer = await postTo(url(), { query: catalogue.body, variables: { first: 100 } });
      expect(answer.errors).toBeUndefined();
      expect(answer.data.publicServices.edges).toHaveLength(11);
    });

    it('runs it by its hash alone, by POST and by GET: the client need not send the document', async () => {
      const catalogue = operation('Catalogue');
      const posted = await postTo(url(), { variables: { first: 3 }, extensions: byHash(catalogue.id) });
      expect(posted.errors).toBeUndefined();
      expect(posted.data.publicServices.edges).toHaveLength(3);
      const got = await getFrom(url(), { variables: { first: 2 }, extensions: byHash(catalogue.id) });
      expect(got.errors).toBeUndefined();
      expect(got.data.publicServices.edges).toHaveLength(2);
    });

    it('runs the portal home by hash for a logged-in citizen, through every subgraph', async () => {
      const citizen = await aLoggedInCitizen(stack);
      const home = await postTo(url(), { extensions: byHash(operation('PortalHome').id) }, citizen.token);
      expect(home.errors).toBeUndefined();
      expect(home.data.me).toMatchObject({ id: citizen.accountId, fullName: citizen.input.fullName, dossiers: { edges: [] }, payments: { edges: [] } });
    });

    it('refuses an operation outside the manifest with 403 PERSISTED_QUERY_NOT_IN_SAFELIST, before any subgraph is asked', async () => {
      const before = stack.sqlStatements();
      const { query } = aFreshDocument();
      // The manifest's own document with one more space is another document.
      for (const document of [query, `${operation('Catalogue').body} `, '{ __schema { types { name } } }']) {
        const refused = await postTo(url(), { query: document });
        expect(refused.status, document).toBe(403);
        expect(refused.errors).toHaveLength(1);
        expect(refused.errors?.[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_IN_SAFELIST', reason: 'OPERATION_NOT_SAFELISTED' });
        expect(refused.errors?.[0].message).toMatch(/manifest/);
      }
      const got = await getFrom(url(), { query });
      expect(got.status).toBe(403);
      expect(got.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
      expect(stack.sqlStatements()).toBe(before);
    });

    it('refuses a hash the manifest lacks with the same code', async () => {
      const refused = await postTo(url(), { extensions: byHash(aFreshDocument().hash) });
      expect(refused.status).toBe(403);
      expect(refused.errors?.[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_IN_SAFELIST', reason: 'UNKNOWN_OPERATION_ID' });
    });

    it('refuses to register a document, and stores nothing in Redis', async () => {
      const { query, hash } = aFreshDocument();
      const refused = await postTo(url(), { query, extensions: byHash(hash) });
      expect(refused.status).toBe(403);
      expect(refused.errors?.[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_IN_SAFELIST', reason: 'REGISTRATION_REFUSED' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await stack.redis.exists(apqKey(hash))).toBe(0);
      // Nor is a document registered elsewhere (an apq replica on the same Redis) run here by its hash.
      expect((await postTo(stack.gatewayUrl, { query, extensions: byHash(hash) })).errors).toBeUndefined();
      await vi.waitFor(async () => expect(await stack.redis.exists(apqKey(hash))).toBe(1));
      expect((await postTo(url(), { extensions: byHash(hash) })).status).toBe(403);
    });

    it('does not start without its manifest, nor with one whose ids are not the hashes of their bodies', async () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'manifest-'));
      try {
        await expect(startGateway(gatewayConfig(stack, { PERSISTED_OPERATIONS: 'safelist', PERSISTED_OPERATIONS_MANIFEST: path.join(folder, 'none.json') })))
          .rejects.toThrow(/PERSISTED_OPERATIONS=safelist: the persisted operation manifest .* cannot be read/);
        const tampered = path.join(folder, 'manifest.json');
        const edited = { ...manifest, operations: manifest.operations.map((o) => (o.name === 'Catalogue' ? { ...o, body: o.body.replace('code', 'code isActive') } : o)) };
        writeFileSync(tampered, JSON.stringify(edited));
        await expect(startGateway(gatewayConfig(stack, { PERSISTED_OPERATIONS: 'safelist', PERSISTED_OPERATIONS_MANIFEST: tampered })))
          .rejects.toThrow(/Catalogue\) whose id is not the SHA-256 of its body/);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
});

describe('the manifest (npm run operations:manifest)', () => {
  it('is up to date: gateway/operations/manifest.json is what gateway/operations/*.graphql make (run `npm run operations:manifest` when this fails)', async () => {
    expect(await checkManifest({ dir: OPERATIONS, out: MANIFEST, supergraphPath: SUPERGRAPH })).toEqual([]);
  });

  it('--check finds a stale manifest: an operation changed, added or removed', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'operations-'));
    try {
      cpSync(OPERATIONS, folder, { recursive: true });
      const out = path.join(folder, 'manifest.json');
      const options = { dir: folder, out, supergraphPath: SUPERGRAPH };
      expect(await checkManifest(options)).toEqual([]);

      const catalogue = path.join(folder, 'citizen-portal/catalogue.graphql');
      writeFileSync(catalogue, readFileSync(catalogue, 'utf8').replace('processingDays', 'processingDays\n        isActive'));
      writeFileSync(path.join(folder, 'finance/postal-point.graphql'), 'query PostalPoint($code: String!) { postalPoint(code: $code) { code name isOpen } }\n');
      rmSync(path.join(folder, 'counter/collect-payment.graphql'));
      expect((await checkManifest(options)).sort()).toEqual(['+ PostalPoint', '- CollectPayment', '~ Catalogue']);

      writeFileSync(out, renderManifest(await buildManifest(options)));
      expect(await checkManifest(options)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names the file and position of every operation that does not validate or has no name', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'operations-'));
    try {
      writeFileSync(path.join(folder, 'home.graphql'), 'query Home {\n  me { id nickname }\n}\n\nquery { me { id } }\n');
      const failure = await buildManifest({ dir: folder, supergraphPath: SUPERGRAPH }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OperationsError);
      const problems = (failure as OperationsError).problems.join('\n');
      expect(problems).toMatch(/home\.graphql:5:1: an operation needs a name/);
      expect(problems).toMatch(/home\.graphql:2:11: Cannot query field "nickname" on type "Account"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
