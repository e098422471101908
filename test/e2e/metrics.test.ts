import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/index';
import { LOGIN } from '../kit/builders';
import { post } from '../kit/gql';
import { testGatewayKeys } from '../kit/gateway-proof';
import { useStack } from '../kit/stack';
import { collectProcessMetrics, metricsRegistry } from '../../subgraphs/shared/src/metrics';

/** The value of one series in Prometheus text, or 0 when it is not there yet. */
function valueOf(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    const pairs = Object.fromEntries([...inside.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => pairs[k] === v) && Object.keys(pairs).length === Object.keys(labels).length) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics', () => {
  const stack = useStack({ postalPoints: 20 });
  const scrape = async (url: string, token?: string) => (await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).text();

  it('counts operations by name, client and outcome, errors by code, and the gateway\'s calls to each subgraph', async () => {
    const before = await scrape(stack.gateway.url);
    const PROBE = `query MetricsProbe { postalPoint(code: "001-BC-0001") { code } publicService(code: "GPLX_EXCHANGE") { feeSchedule { total } } }`;
    for (let i = 0; i < 3; i += 1) expect((await post(stack.gatewayUrl, PROBE, {}, undefined, { headers: { 'apollographql-client-name': 'metrics-portal' } })).errors).toBeUndefined();
    const bad = await post(stack.gatewayUrl, `query MetricsBad { postalPoint(code: 42) { code } }`, {}, undefined, { headers: { 'apollographql-client-name': 'metrics-portal' } });
    expect(bad.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await scrape(stack.gateway.url);

    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('graphql_requests_total', { service: 'gateway', operation: 'MetricsProbe', client: 'metrics-portal', outcome: 'ok' })).toBe(3);
    expect(delta('graphql_requests_total', { service: 'gateway', operation: 'MetricsBad', client: 'metrics-portal', outcome: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(delta('graphql_errors_total', { service: 'gateway', code: 'GRAPHQL_VALIDATION_FAILED' })).toBeGreaterThanOrEqual(1);
    expect(delta('graphql_request_duration_seconds_count', { service: 'gateway', operation: 'MetricsProbe' })).toBe(3);
    // postalPoint from payments, the service from documents, its fee schedule from payments again: each a subgraph call.
    expect(delta('subgraph_requests_total', { subgraph: 'documents', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(delta('subgraph_requests_total', { subgraph: 'payments', outcome: 'ok' })).toBeGreaterThanOrEqual(6);
    expect(delta('subgraph_request_duration_seconds_count', { subgraph: 'payments' })).toBeGreaterThanOrEqual(6);
    // The subgraphs count their own side, and the shared cache its hits: the same postal point three times.
    const payments = await scrape(stack.payments.url);
    expect(valueOf(payments, 'graphql_requests_total', { service: 'payments', operation: 'MetricsProbe__payments__0', client: 'none', outcome: 'ok' })
      + valueOf(payments, 'graphql_requests_total', { service: 'payments', operation: 'MetricsProbe__payments__1', client: 'none', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(valueOf(payments, 'cache_lookups_total', { service: 'payments', cache: 'payments:postal-point:v1', result: 'hit' })).toBeGreaterThanOrEqual(2);
  });

  it('keeps a client from growing the registry without end: odd or countless names are "other"', async () => {
    for (const name of ['bad name with spaces', 'x'.repeat(100)]) {
      await post(stack.gatewayUrl, `query OddClient { __typename }`, {}, undefined, { headers: { 'apollographql-client-name': name } });
    }
    const text = await scrape(stack.gateway.url);
    expect(valueOf(text, 'graphql_requests_total', { service: 'gateway', operation: 'OddClient', client: 'other', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain('bad name with spaces');
  });

  it('counts refusals by limit: login attempts past the username\'s five', async () => {
    const before = valueOf(await scrape(stack.identity.url), 'rate_limit_refusals_total', { service: 'identity', limit: 'login-username' });
    const username = '079' + String(Date.now()).slice(-9);
    const codes: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const answer = await post(stack.gatewayUrl, LOGIN, { username, password: 'wrong-Password-1' });
      codes.push(String(answer.errors?.[0]?.extensions?.code));
    }
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBe(2);
    const after = valueOf(await scrape(stack.identity.url), 'rate_limit_refusals_total', { service: 'identity', limit: 'login-username' });
    expect(after - before).toBe(2);
  });

  it('has every series the Grafana dashboard in docs/ reads', async () => {
    collectProcessMetrics('test');
    const dashboard = JSON.parse(readFileSync(path.join(__dirname, '../../docs/grafana-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const read = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\b(graphql|subgraph|cache|rate_limit|process|nodejs)_[a-z0-9_]+/g) ?? [])));
    const known = new Set((await metricsRegistry.getMetricsAsJSON()).map((m) => m.name));
    const missing = [...read].map((name) => name.replace(/_(bucket|count|sum)$/, '')).filter((name) => !known.has(name));
    expect(read.size).toBeGreaterThan(8);
    expect(missing).toEqual([]);
  });

  it('is off in production without METRICS_TOKEN, and needs the token with it', async () => {
    const env = (extra: Record<string, string>) => loadGatewayConfig({
      NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', SUPERGRAPH_PATH: path.join(__dirname, '../../schema/supergraph.graphql'),
      IDENTITY_URL: `${stack.identity.url}/graphql`, DOCUMENTS_URL: `${stack.documents.url}/graphql`, PAYMENTS_URL: `${stack.payments.url}/graphql`,
      IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`, GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY, ...extra,
    });
    const closed = await startGateway(env({}));
    try {
      expect((await fetch(`${closed.url}/metrics`)).status).toBe(404);
    } finally { await closed.stop(); }
    const token = 'scrape-token-0123456789';
    const guarded = await startGateway(env({ METRICS_TOKEN: token }));
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await ok.text()).toContain('# TYPE graphql_requests_total counter');
    } finally { await guarded.stop(); }
  });
});
