import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SERVICE_ENTRIES, serviceName } from '../../scripts/lib/graph-processes';
import { newEs256KeyPair } from '../../scripts/lib/keys';
import { freePort } from '../../scripts/lib/local-services';

/**
 * Tracing as production runs it: the instrumentations patch modules as Node's own loader requires them, which
 * vitest's loader does not, so this test compiles the project (tsc, a few seconds) into a temporary folder and runs
 * the four services from it as their own processes, with an OTLP endpoint that is a receiver in this test.
 */

const ROOT = path.resolve(__dirname, '..', '..');
/** A code only the query's variables carry: no span may repeat it. */
const SERVICE_CODE = 'GPLX_EXCHANGE';
const QUERY = 'query TracedFee($code: String!) { publicService(code: $code) { name feeSchedule { total } } }';

interface Attribute { key: string; value: Record<string, unknown> }
interface ReceivedSpan { service: string; scope: string; name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string; attributes: Attribute[] }
/** OTLP's SpanKind numbers. */
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

/** An OTLP/HTTP receiver (JSON, as @opentelemetry/exporter-trace-otlp-http sends it) keeping every span. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as { resourceSpans?: { resource?: { attributes?: Attribute[] }; scopeSpans?: { scope?: { name?: string }; spans?: Omit<ReceivedSpan, 'service' | 'scope'>[] }[] }[] };
        for (const resourceSpans of parsed.resourceSpans ?? []) {
          const service = String(resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '');
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) spans.push({ ...span, attributes: span.attributes ?? [], service, scope: scopeSpans.scope?.name ?? '' });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('tracing (OTLP, real processes)', () => {
  let workDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const children: ChildProcess[] = [];
  /** Every JSON log line of the services, by service. */
  const logs: { service: string; line: Record<string, unknown> }[] = [];
  const exits: string[] = [];
  let gatewayUrl: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'nig-tracing-'));
    // The compiled files find the packages through node_modules beside them.
    await symlink(path.join(ROOT, 'node_modules'), path.join(workDir, 'node_modules'), 'dir');
    await promisify(execFile)(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--outDir', path.join(workDir, 'dist')], { cwd: ROOT });

    receiver = await startReceiver();
    const admin = new Client({ connectionString: inject('postgresUrl') });
    const database = `t_${inject('runId')}_${randomBytes(6).toString('hex')}`;
    await admin.connect();
    try { await admin.query(`CREATE DATABASE "${database}"`); } finally { await admin.end(); }
    const databaseUrl = new URL(inject('postgresUrl'));
    databaseUrl.pathname = `/${database}`;

    const keys = newEs256KeyPair();
    const [gatewayPort, identityPort, documentsPort, paymentsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
    const env = {
      ...inherited,
      NODE_ENV: 'development', LOG_LEVEL: 'info', HOST: '127.0.0.1', DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: `test:tracing:${randomBytes(4).toString('hex')}:`,
      GATEWAY_PRIVATE_KEY: keys.privateKey, GATEWAY_PUBLIC_KEY: keys.publicKey,
      GATEWAY_PORT: String(gatewayPort), IDENTITY_PORT: String(identityPort), DOCUMENTS_PORT: String(documentsPort), PAYMENTS_PORT: String(paymentsPort),
      IDENTITY_URL: `http://127.0.0.1:${identityPort}/graphql`, DOCUMENTS_URL: `http://127.0.0.1:${documentsPort}/graphql`, PAYMENTS_URL: `http://127.0.0.1:${paymentsPort}/graphql`,
      IDENTITY_JWKS_URL: `http://127.0.0.1:${identityPort}/.well-known/jwks.json`, OIDC_ISSUER: `http://127.0.0.1:${identityPort}/oidc`,
      SUPERGRAPH_PATH: path.join(ROOT, 'schema', 'supergraph.graphql'), SUPERGRAPH_WATCH_MS: '0',
      // Tracing on, as an operator turns it on; spans leave in batches every 200 ms instead of 5 s.
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    for (const entry of SERVICE_ENTRIES) {
      const service = serviceName(entry);
      const child = spawn(process.execPath, [path.join(workDir, 'dist', entry)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let pending = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const text of lines) { try { logs.push({ service, line: JSON.parse(text) }); } catch { /* not a log line */ } }
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2_000); });
      child.once('exit', (code) => exits.push(`${service} exited with ${code}: ${stderr}`));
      children.push(child);
    }
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exits.length) throw new Error(exits.join('\n'));
      try { if ((await fetch(`${gatewayUrl}/ready`, { signal: AbortSignal.timeout(1_000) })).ok) break; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error('the gateway did not become ready within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => { clearTimeout(kill); resolve(); });
      child.kill('SIGTERM');
    })));
    await receiver?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('follows one query from the gateway into the subgraphs and their SQL under one trace id, without its variables, and names the trace in the logs', async () => {
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY, variables: { code: SERVICE_CODE } }),
    });
    const body = await response.json() as { data?: { publicService: { feeSchedule: { total: string } | null } | null }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data?.publicService?.feeSchedule?.total).toMatch(/^\d+$/);

    // The trace of this request: the gateway's server span for POST /graphql.
    const root = await waitFor('the gateway\'s request span', () => receiver.spans.find((s) => s.service === 'gateway' && s.name === 'gateway.request'), 10_000);
    const traceId = root.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const has = (service: string, test: (s: ReceivedSpan) => boolean) => inTrace().some((s) => s.service === service && test(s));
    await waitFor('spans of the gateway, documents and payments in one trace', () =>
      has('gateway', (s) => s.name === 'gateway.plan') && has('gateway', (s) => s.name === 'gateway.fetch')
      && has('payments', (s) => s.scope.includes('graphql')) && has('payments', (s) => s.scope.includes('pg'))
      && has('documents', (s) => s.scope.includes('pg')) ? true : undefined, 10_000).catch(() => undefined);

    // Span names by the instrumentation that made them ("graphql:graphql.parse"; Apollo's as "gateway.plan").
    const names = (service: string) => [...new Set(inTrace().filter((s) => s.service === service)
      .map((s) => (s.scope.includes('gateway') ? s.name : `${s.scope.replace('@opentelemetry/instrumentation-', '')}:${s.name}`)))].sort();
    const seen = { gateway: names('gateway'), documents: names('documents'), payments: names('payments') };
    // Apollo Server's parse and validate, Apollo Gateway's own spans (the plan, one fetch per subgraph), and Node's
    // HTTP server span of the request and client spans of the calls to the subgraphs.
    expect(seen.gateway).toEqual(expect.arrayContaining(['graphql:graphql.parse', 'graphql:graphql.validate', 'gateway.request', 'gateway.validate',
      'gateway.plan', 'gateway.execute', 'gateway.fetch', 'http:POST']));
    // Each subgraph joined the gateway's trace through the traceparent of the gateway's node:http call: its server
    // span's parent is one of the gateway's client spans. Then parse, validate, execute, resolvers, and the SQL.
    const gatewayCalls = new Set(inTrace().filter((s) => s.service === 'gateway' && s.scope.includes('http') && s.kind === SPAN_KIND_CLIENT).map((s) => s.spanId));
    for (const subgraph of ['documents', 'payments'] as const) {
      const server = inTrace().find((s) => s.service === subgraph && s.scope.includes('http') && s.kind === SPAN_KIND_SERVER);
      expect(server?.parentSpanId && gatewayCalls.has(server.parentSpanId)).toBe(true);
      expect(seen[subgraph]).toEqual(expect.arrayContaining(['graphql:graphql.parse', 'graphql:graphql.validate']));
      expect(seen[subgraph].some((name) => name.startsWith('graphql:query'))).toBe(true);
      expect(seen[subgraph].some((name) => name.startsWith('graphql:graphql.resolve'))).toBe(true);
      expect(seen[subgraph].some((name) => name.startsWith('pg:'))).toBe(true);
    }

    // Nothing in any span carries the variable's value (the SQL has its placeholders, not the parameters).
    const everyValue = JSON.stringify(receiver.spans.map((s) => [s.name, s.attributes]));
    expect(everyValue).not.toContain(SERVICE_CODE);
    const sql = inTrace().filter((s) => s.scope.includes('pg')).flatMap((s) => s.attributes.filter((a) => a.key === 'db.statement' || a.key === 'db.query.text'));
    expect(sql.length).toBeGreaterThan(0);
    expect(JSON.stringify(sql)).toMatch(/\$1/);

    // The request's log lines name the trace and one of its spans: the gateway's and each subgraph's, as they are (the
    // logger sets the ids aside while it masks personal data in the line).
    const loggedTraceId = traceId;
    const loggedSpanIds = new Set(inTrace().map((s) => s.spanId));
    const requestLines = logs.filter(({ line }) => line.msg === 'graphql request' && line.traceId === loggedTraceId);
    expect(requestLines.map(({ service }) => service)).toEqual(expect.arrayContaining(['documents', 'gateway', 'payments']));
    for (const { line } of requestLines) expect(loggedSpanIds.has(String(line.spanId))).toBe(true);

    // /ready, /health and /metrics make no spans.
    expect(receiver.spans.some((s) => s.attributes.some((a) => /\/(ready|health|metrics)$/.test(String(a.value.stringValue ?? ''))))).toBe(false);
  });
});
