import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../subgraphs/identity/src/database/seed';
import { generateSigningKeyPem } from '../subgraphs/identity/src/sessions/signing-key';
import { Role } from '../subgraphs/shared/src';
import { ROOT, SERVICE_ENTRIES, serviceName, spawnGraph, waitForReady } from './lib/graph-processes';
import { quantileOf } from './lib/latency';
import { peakResidentMiB } from './lib/process-cpu';
import { newEs256KeyPair } from './lib/keys';
import { freePort, startEmbeddedPostgres, startRedisServer } from './lib/local-services';
import { migrateAndSeed } from './lib/seed-all';

const HELP = `Usage: npm run bench [-- --requests N] [-- --concurrency C] [-- --dossiers D]

Measures the graph on this machine, each configuration in the same run (compare ratios, not
absolute numbers: load generator, gateway, subgraphs, PostgreSQL and Redis share the cores):
  0. GET /health of a subgraph: what the load generator and HTTP alone allow
  1. postalPoint(code) straight at the payments subgraph
  2. the same query through the gateway
  3. the portal's three-subgraph query (me → dossiers → service → feeSchedule, amountDue)
     through the gateway, with the Redis cache
  4. the same, with the services started without Redis
Starts its own temporary PostgreSQL and redis-server on free loopback ports; needs \`npm run build\`
(npm run bench does it). Defaults: --requests 2000 --concurrency 20 --dossiers 20.`;

interface Figures { label: string; requests: number; seconds: number; p50: number; p95: number; p99: number; errors: number }

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

async function graphql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * Sends `requests` POSTs (GET when `body` is null) with at most `concurrency` in flight; bounded in
 * count, loopback only.
 */
async function load(label: string, url: string, body: string | null, token: string | undefined, requests: number, concurrency: number): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      next++;
      const t = performance.now();
      try {
        const response = await fetch(url, body === null ? {} : { method: 'POST', headers, body });
        const json = (await response.json()) as { errors?: unknown[] };
        if (!response.ok || json.errors) {
          errors++;
          firstError ??= `HTTP ${response.status} ${JSON.stringify(json.errors ?? json).slice(0, 300)}`;
        }
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const at = quantileOf(latencies);
  // The first failure, so that a failed run says why.
  if (firstError) console.log(`bench: ${label}: ${errors} failed; the first: ${firstError}`);
  return { label, requests, seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99), errors };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) { console.log(HELP); return; }
  const requests = option('requests', 2000);
  const concurrency = option('concurrency', 20);
  const dossiers = option('dossiers', 20);
  const say = (line: string) => console.log(`bench: ${line}`);

  say('starting PostgreSQL and redis-server…');
  const postgres = await startEmbeddedPostgres();
  const redis = await startRedisServer();
  const results: Figures[] = [];
  /** Each service's peak resident memory after the runs of one configuration. */
  const memory: string[] = [];
  try {
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const databaseUrl = postgres.url.replace(/\/postgres$/, '/bench');
    say('migrating and seeding (13,000 postal points)…');
    await migrateAndSeed(databaseUrl, () => {});
    const citizen = DEMO_ACCOUNTS.find((a) => a.role === Role.CITIZEN)!;
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const [{ id }] = (await db.query('SELECT id FROM identity.accounts WHERE username = $1', [citizen.username])).rows;
    await db.query(
      `INSERT INTO documents.dossiers (registration_code, service_code, applicant_account_id, status, channel, appointment_date, delivery_method)
       SELECT 'HS-BENCH0-' || lpad(upper(to_hex(n)), 8, '0'), (ARRAY['GPLX_EXCHANGE','CCCD_RENEWAL','CCCD_REISSUE','RESIDENCE_REGISTRATION'])[1 + n % 4], $1, 'SUBMITTED', 'ONLINE', DATE '2099-01-01', 'PICKUP'
       FROM generate_series(1, $2) AS n ON CONFLICT DO NOTHING`, [id, dossiers - 1]);
    await db.end();
    const jwtKey = await generateSigningKeyPem();
    const gatewayKeys = newEs256KeyPair();

    for (const withRedis of [true, false]) {
      const [gatewayPort, identityPort, documentsPort, paymentsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
      const env = {
        ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'error', HOST: '127.0.0.1', DATABASE_URL: databaseUrl,
        REDIS_URL: withRedis ? redis.url : '', REDIS_KEY_PREFIX: `bench:${Date.now()}:`, JWT_PRIVATE_KEY: jwtKey,
        GATEWAY_PRIVATE_KEY: gatewayKeys.privateKey, GATEWAY_PUBLIC_KEY: gatewayKeys.publicKey,
        GATEWAY_PORT: String(gatewayPort), IDENTITY_PORT: String(identityPort), DOCUMENTS_PORT: String(documentsPort), PAYMENTS_PORT: String(paymentsPort),
        IDENTITY_URL: `http://127.0.0.1:${identityPort}/graphql`, DOCUMENTS_URL: `http://127.0.0.1:${documentsPort}/graphql`, PAYMENTS_URL: `http://127.0.0.1:${paymentsPort}/graphql`,
        IDENTITY_JWKS_URL: `http://127.0.0.1:${identityPort}/.well-known/jwks.json`, SUPERGRAPH_PATH: `${ROOT}/schema/supergraph.graphql`,
        // The gateway's limits stay on and are counted for every request; only the per-address ceiling is raised, as
        // all the load comes from this machine's one address.
        RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      };
      if (!withRedis) delete (env as Record<string, string | undefined>).REDIS_URL;
      say(`starting the graph ${withRedis ? 'with' : 'without'} Redis…`);
      const graph = spawnGraph(env, (entry, code) => { throw new Error(`${entry} exited with ${code}`); }, 'ignore');
      try {
        const gateway = `http://127.0.0.1:${gatewayPort}/graphql`;
        if (!(await waitForReady(`http://127.0.0.1:${gatewayPort}/ready`, 60_000))) throw new Error('the gateway did not become ready');
        const { login } = await graphql(gateway, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { challengeId } }', { u: citizen.username, p: DEMO_PASSWORD });
        const outbox = (await (await fetch(`http://127.0.0.1:${identityPort}/dev/sms?phone=${encodeURIComponent(citizen.phone)}`)).json()) as { messages: { text: string }[] };
        const code = /\d{6}/.exec(outbox.messages[0].text)![0];
        const { verifyLoginOtp } = await graphql(gateway, 'mutation($c: ID!, $o: String!) { verifyLoginOtp(challengeId: $c, code: $o) { accessToken } }', { c: login.challengeId, o: code });
        const token = verifyLoginOtp.accessToken as string;
        const portalQuery = JSON.stringify({ query: `{ me { fullName dossiers(first: ${dossiers}) { edges { node { registrationCode service { name feeSchedule { total } } amountDue } } } } }` });
        const me = await graphql(gateway, JSON.parse(portalQuery).query, {}, token);
        if (me.me.dossiers.edges.length !== dossiers) throw new Error(`expected ${dossiers} dossiers, got ${me.me.dossiers.edges.length}`);
        const pointQuery = JSON.stringify({ query: '{ postalPoint(code: "001-BC-0001") { code name address isOpen } }' });
        const suffix = withRedis ? 'Redis cache' : 'no Redis';
        // A short warm-up so that connection pools and JIT are not measured.
        await load('warm-up', gateway, portalQuery, token, Math.min(200, requests), concurrency);
        if (withRedis) {
          // The ceiling of this load generator and HTTP stack: no GraphQL, no database.
          results.push(await load('GET /health of the payments subgraph (floor)', `http://127.0.0.1:${paymentsPort}/health`, null, undefined, requests, concurrency));
          results.push(await load('postalPoint, payments subgraph directly', `http://127.0.0.1:${paymentsPort}/graphql`, pointQuery, undefined, requests, concurrency));
          results.push(await load('postalPoint, through the gateway', gateway, pointQuery, undefined, requests, concurrency));
        }
        results.push(await load(`portal query, 3 subgraphs, ${dossiers} dossiers, ${suffix}`, gateway, portalQuery, token, requests, concurrency));
        memory.push(`${suffix}: ${SERVICE_ENTRIES.map((entry, i) => `${serviceName(entry)} ${peakResidentMiB(graph.children[i].pid ?? 0).toFixed(0)}`).join(', ')} MiB`);
      } finally {
        await graph.stop();
      }
    }
  } finally {
    await redis.stop();
    await postgres.stop();
  }

  console.log(`\n${requests} requests each, ${concurrency} in flight, on this machine (${(await import('node:os')).cpus().length} cores):\n`);
  console.log(`${'configuration'.padEnd(58)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  for (const r of results) {
    console.log(`${r.label.padEnd(58)} ${(r.requests / r.seconds).toFixed(0).padStart(8)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${String(r.errors).padStart(7)}`);
  }
  const [, direct, viaGateway, cached, uncached] = results;
  console.log(`\ngateway overhead on a one-subgraph lookup: ${(direct.requests / direct.seconds / (viaGateway.requests / viaGateway.seconds)).toFixed(2)}× fewer req/s through the gateway`);
  console.log(`Redis cache on the portal query: ${((cached.requests / cached.seconds) / (uncached.requests / uncached.seconds)).toFixed(2)}× the req/s without it`);
  for (const line of memory) console.log(`peak memory (resident), ${line}`);
  if (results.some((r) => r.errors > 0)) { console.error('bench: some requests failed'); process.exitCode = 1; }
}

main().catch((error) => { console.error(`bench: ${(error as Error).message}`); process.exit(1); });
