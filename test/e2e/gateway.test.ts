import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/index';
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
});
