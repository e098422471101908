import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/index';
import { aLoggedInCitizen } from '../kit/builders';
import { gql, post } from '../kit/gql';
import { testGatewayKeys } from '../kit/gateway-proof';
import { useStack } from '../kit/stack';

const CATALOGUE_WITH_FEES = `{ publicServices(first: 100) { edges { node { code name feeSchedule { total items { name amount } } } } } }`;

describe('the gateway', () => {
  const stack = useStack({ postalPoints: 100 });

  it('answers every service of the catalogue with its fee schedule from payments', async () => {
    const { publicServices } = await gql(stack.gatewayUrl, CATALOGUE_WITH_FEES);
    expect(publicServices.edges).toHaveLength(11);
    for (const { node } of publicServices.edges) {
      const sum = node.feeSchedule.items.reduce((total: bigint, item: { amount: string }) => total + BigInt(item.amount), 0n);
      expect(BigInt(node.feeSchedule.total), node.code).toBe(sum);
    }
  });

  it('echoes the caller’s request id, or makes one', async () => {
    const withId = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'portal-42' }, body: '{"query":"{ __typename }"}' });
    expect(withId.headers.get('x-request-id')).toBe('portal-42');
    const without = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(without.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves an explorer that loads nothing from the internet', async () => {
    const page = await fetch(stack.gateway.url + '/');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/fetch\('\/graphql'/);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
  });

  it('refuses a browser form post (CSRF prevention)', async () => {
    const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query={__typename}' });
    expect(response.status).toBe(400);
  });

  it('fails a request whose subgraph hangs instead of hanging with it, and masks the details in production', async () => {
    // A "subgraph" that accepts connections and never answers.
    const sockets: net.Socket[] = [];
    const hung = net.createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const gateway = await startGateway(loadGatewayConfig({
      NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', SUBGRAPH_TIMEOUT_MS: '300',
      SUPERGRAPH_PATH: path.join(__dirname, '../../schema/supergraph.graphql'),
      IDENTITY_URL: `${stack.identity.url}/graphql`, DOCUMENTS_URL: `${stack.documents.url}/graphql`,
      PAYMENTS_URL: `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}/graphql`,
      IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`, GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY,
    }));
    try {
      expect((await fetch(`${gateway.url}/`)).status).toBe(404); // no explorer in production
      const result = await post(`${gateway.url}/graphql`, `{ publicService(code: "GPLX_EXCHANGE") { name feeSchedule { total } } }`);
      expect(result.errors?.[0]).toMatchObject({ message: 'The payments service is not answering; try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
      expect(JSON.stringify(result.errors)).not.toMatch(/127\.0\.0\.1|stacktrace/);
      // The fee schedule is missing, never invented: null with the error beside it.
      expect(result.data).toEqual({ publicService: { name: 'Đổi giấy phép lái xe', feeSchedule: null } });
    } finally {
      await gateway.stop();
      sockets.forEach((s) => s.destroy());
      hung.close();
    }
  });

  /** A stand-in for a subgraph that forwards to the real one, or hangs while `hanging` is set (a paused process). */
  async function aSwitchableProxy(target: string) {
    const state = { hanging: false, killed: false, received: 0 };
    const held: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
      state.received += 1;
      if (state.hanging) { held.push(res); return; }
      // A killed process: the connection drops without an answer.
      if (state.killed) { req.socket.destroy(); return; }
      const upstream = http.request(new URL('/graphql', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      state, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/graphql`,
      close: () => { held.forEach((r) => r.destroy()); server.closeAllConnections(); server.close(); },
    };
  }

  it('keeps the rest of a portal\'s page when payments hangs, stops waiting on it after five failures, and takes it back when it answers', async () => {
    const citizen = await aLoggedInCitizen(stack);
    await gql(stack.gatewayUrl, `mutation { submitDossier(input: { serviceCode: "GPLX_EXCHANGE", acceptDeclaration: true }) { id } }`, {}, citizen.token);
    const payments = await aSwitchableProxy(stack.payments.url);
    const gateway = await startGateway(loadGatewayConfig({
      NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', SUBGRAPH_TIMEOUT_MS: '300',
      SUBGRAPH_BREAKER_FAILURES: '5', SUBGRAPH_BREAKER_COOLDOWN_MS: '400',
      SUPERGRAPH_PATH: path.join(__dirname, '../../schema/supergraph.graphql'),
      IDENTITY_URL: `${stack.identity.url}/graphql`, DOCUMENTS_URL: `${stack.documents.url}/graphql`, PAYMENTS_URL: payments.url,
      IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`, GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY,
    }));
    const HOME = `{ me { fullName dossiers(first: 5) { edges { node { registrationCode status amountDue payments { edges { node { id } } } } } }
      payments(first: 5) { edges { node { id } } } } }`;
    const home = () => post(`${gateway.url}/graphql`, HOME, {}, citizen.token);
    try {
      const healthy = await home();
      expect(healthy.errors).toBeUndefined();
      expect(healthy.data.me.dossiers.edges[0].node.amountDue).toBe('135000');

      payments.state.hanging = true;
      const degraded = await home();
      // Identity's and documents' fields answer; payments' are null, each with an error that names the service.
      expect(degraded.data.me.fullName).toBe(citizen.input.fullName);
      expect(degraded.data.me.payments).toBeNull();
      expect(degraded.data.me.dossiers.edges[0].node).toMatchObject({ status: 'SUBMITTED', amountDue: null, payments: null });
      expect(degraded.errors?.length).toBeGreaterThan(0);
      for (const error of degraded.errors!) expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'payments' });

      // Five failures in a row open the circuit: later requests no longer reach payments, and say when to retry.
      for (let i = 0; i < 4; i += 1) await home();
      const reached = payments.state.received;
      const fast = await home();
      expect(payments.state.received).toBe(reached);
      expect(fast.data.me.fullName).toBe(citizen.input.fullName);
      expect(fast.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'payments', reason: 'CIRCUIT_OPEN', retryAfterSeconds: 1 });

      // Killed instead of hung (connections dropped): after the cooldown the probe reaches it and fails at once; the
      // page keeps the rest.
      payments.state.hanging = false;
      payments.state.killed = true;
      await new Promise((resolve) => setTimeout(resolve, 450));
      const before = payments.state.received;
      const dropped = await home();
      expect(payments.state.received).toBeGreaterThan(before);
      expect(dropped.data.me.fullName).toBe(citizen.input.fullName);
      expect(dropped.data.me.payments ?? dropped.data.me.dossiers.edges[0].node.amountDue).toBeNull();
      expect(dropped.errors?.map((e) => e.extensions?.service)).toContain('payments');

      // Back: after the cooldown one request probes it, and everything answers again.
      payments.state.killed = false;
      await new Promise((resolve) => setTimeout(resolve, 450));
      await expect.poll(async () => (await home()).errors, { timeout: 5_000, interval: 100 }).toBeUndefined();
      expect((await home()).data.me.dossiers.edges[0].node.amountDue).toBe('135000');
    } finally {
      await gateway.stop();
      payments.close();
    }
  });
});
