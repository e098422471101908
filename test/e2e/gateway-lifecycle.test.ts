import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/index';
import { gql, post } from '../kit/gql';
import { testGatewayKeys } from '../kit/gateway-proof';
import { useStack, type Stack } from '../kit/stack';

const SUPERGRAPH = path.join(__dirname, '../../schema/supergraph.graphql');

function gatewayEnv(stack: Stack, overrides: Record<string, string>) {
  return loadGatewayConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', SUBGRAPH_TIMEOUT_MS: '5000',
    SUPERGRAPH_PATH: SUPERGRAPH,
    IDENTITY_URL: `${stack.identity.url}/graphql`, DOCUMENTS_URL: `${stack.documents.url}/graphql`, PAYMENTS_URL: `${stack.payments.url}/graphql`,
    IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`, GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY,
    ...overrides,
  });
}

/** Forwards to a real subgraph, `delayMs` late: a request that stays in flight for a while. */
async function aSlowProxy(target: string, delayMs: number) {
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      const upstream = http.request(new URL('/graphql', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/graphql`, close: () => { server.closeAllConnections(); server.close(); } };
}

describe('the gateway stops and reloads without dropping requests', () => {
  const stack = useStack({ postalPoints: 20 });
  const folder = mkdtempSync(path.join(tmpdir(), 'supergraph-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('finishes the requests in flight when stopped, answers new ones 503 meanwhile, then stops', async () => {
    const payments = await aSlowProxy(stack.payments.url, 800);
    const gateway = await startGateway(gatewayEnv(stack, { PAYMENTS_URL: payments.url, SHUTDOWN_GRACE_MS: '5000' }));
    try {
      const url = `${gateway.url}/graphql`;
      const inFlight = post(url, `{ publicService(code: "GPLX_EXCHANGE") { name feeSchedule { total } } }`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stopping = gateway.stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(((await refused.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'SHUTTING_DOWN' });
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
      // The request that was in flight gets its whole answer.
      const answered = await inFlight;
      expect(answered.errors).toBeUndefined();
      expect(answered.data.publicService.feeSchedule.total).toBe('135000');
      await stopping;
      await expect(fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).rejects.toThrow();
    } finally {
      payments.close();
    }
  });

  it('reloads a changed supergraph under load without a failed request, and refuses a bad one while the old keeps serving', async () => {
    const file = path.join(folder, 'supergraph.graphql');
    copyFileSync(SUPERGRAPH, file);
    const outcomes: { loaded: boolean; error?: string }[] = [];
    const gateway = await startGateway(gatewayEnv(stack, { SUPERGRAPH_PATH: file, SUPERGRAPH_WATCH_MS: '50' }), { onSupergraphReload: (o) => outcomes.push(o) });
    const url = `${gateway.url}/graphql`;
    const DESCRIBE = `{ __type(name: "PostalPoint") { description } }`;
    const original = readFileSync(SUPERGRAPH, 'utf8');
    const before = (await gql(url, DESCRIBE)).__type.description as string;
    let running = true;
    const failures: unknown[] = [];
    let answered = 0;
    // Twenty clients asking all along.
    const load = Promise.all(Array.from({ length: 20 }, async () => {
      while (running) {
        const result = await post(url, `{ postalPoint(code: "001-BC-0001") { code name } }`);
        if (result.errors || result.data?.postalPoint?.code !== '001-BC-0001') failures.push(result.errors ?? result.data);
        answered += 1;
      }
    }));
    try {
      // A new supergraph: the same graph with another description, picked up from the file.
      expect(original).toContain(before);
      writeFileSync(file, original.replace(before, 'Điểm phục vụ bưu chính (reloaded).'));
      await expect.poll(async () => (await gql(url, DESCRIBE)).__type.description, { timeout: 10_000, interval: 50 }).toBe('Điểm phục vụ bưu chính (reloaded).');
      expect(outcomes.at(-1)).toMatchObject({ loaded: true });

      // A broken one (half-written): refused, the last good one keeps serving.
      writeFileSync(file, original.slice(0, Math.floor(original.length / 2)));
      await expect.poll(() => outcomes.length, { timeout: 10_000, interval: 50 }).toBe(2);
      expect(outcomes[1]).toMatchObject({ loaded: false });
      expect((await gql(url, DESCRIBE)).__type.description).toBe('Điểm phục vụ bưu chính (reloaded).');

      // Asked (what SIGHUP does), it reloads at once, whatever the polling.
      writeFileSync(file, original);
      gateway.reloadSupergraph();
      await expect.poll(async () => (await gql(url, DESCRIBE)).__type.description, { timeout: 10_000, interval: 50 }).toBe(before);
    } finally {
      running = false;
      await load;
      await gateway.stop();
    }
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(50);
  });
});
