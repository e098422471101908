import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import { loadSigningKey, generateSigningKeyPem, type SigningKey } from '../subgraphs/identity/src/sessions/signing-key';
import { openPaymentsDatabase } from '../subgraphs/payments/src/database/data-source';
import { generatePostalPoints } from '../subgraphs/payments/src/postal-points/postal-point.generator';
import { importPostalPoints } from '../subgraphs/payments/src/postal-points/postal-point.import';
import { ReconciliationService } from '../subgraphs/payments/src/reconciliation/reconciliation.service';
import { reconciliationExport } from '../subgraphs/payments/src/reconciliation/reconciliation.sql';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE, createLogger, Role, todayInVietnam, TOKEN_ALGORITHM, type Principal } from '../subgraphs/shared/src';
import { ROOT, spawnGraph, waitForReady } from './lib/graph-processes';
import { newEs256KeyPair } from './lib/keys';
import { freePort, startEmbeddedPostgres, startRedisServer } from './lib/local-services';
import { quantileOf } from './lib/latency';
import { CpuMeter } from './lib/process-cpu';
import { daysFrom, hasRemittancesTable, movementsFor, NATIONAL_MOVEMENTS_PER_DAY, networkWeight, seedPaymentsDay, type DaySeed } from './lib/payments-seed';

const HELP = `Usage: npm run bench:payments [-- --scale S] [-- --days N] [-- --month YYYY-MM] [-- --jobs J]
                              [-- --clients C] [-- --seconds T] [-- --replay-seconds R] [-- --no-collections] [-- --explain]

Payments at national scale, on this machine, in one run:
  1. starts its own PostgreSQL and redis-server (temporary, on free loopback ports), applies the payments
     migrations and imports the generated network of 13,000 postal points;
  2. seeds N business days from the first of the month: ${NATIONAL_MOVEMENTS_PER_DAY.toLocaleString('en')} movements a day × S (counter
     collections for EVN and the water companies, dossier fees, BHXH pensions paid out, cash on delivery,
     online payments, same-day reversals), two ledger postings each, the cash on delivery handed to postmen
     and, when the remittances table exists, each point's end-of-day declaration. Rows are generated inside
     PostgreSQL (INSERT … SELECT … generate_series, ≈150,000 movements and their postings per statement, so
     no row crosses the wire and the ledger's balance trigger checks each statement; J days at a time);
     prints progress per day and the seed rate;
  3. reconciles (median of 3 runs after a warm-up) one day for every point, one province, and the whole
     month with the reconciliation service of the payments subgraph (which reconciles a day at a time: the
     month is its 30 days in turn), and the month in one statement (the bench's own SQL, with the service's
     definitions); targets: a day < 1 s, a month < 20 s;
  4. starts the graph (gateway + three subgraphs) and has C clients, each a level-2 clerk of another postal
     point, collect bill payments through the gateway with a fresh idempotency key each for T seconds,
     then replay earlier requests (same key, same content) for R seconds; target ≥ 1,000 collections/s;
  5. prints a summary of every figure. Exit status 0 when the figures were measured, met or not.
Everything shares the machine's cores: the load average is printed before each measurement, and the
figures are only as clean as the machine was quiet.
--explain also prints the plans (EXPLAIN ANALYZE, BUFFERS) of the day's and the month's statements.

Defaults: --scale 1 --days 30 --month <the month before this one, Vietnam time> --jobs <cores>
          --clients 50 --seconds 15 --replay-seconds 5. Try it small first: --scale 0.02 --days 3.
The full month is ≈17 million movements and ≈34 million postings: about 12 GB of tables and indexes,
and up to 4 GB more of WAL while it runs (the data folder is removed at the end); ≈20 minutes to seed.`;

const say = (line: string) => console.log(`bench:payments: ${line}`);
const n = (value: number) => Math.round(value).toLocaleString('en');
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
/** The machine's 1-minute load average against its cores: other work on the machine shows in every figure. */
const loadAverage = () => `${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;

interface Options {
  scale: number; days: number; month: string; jobs: number; clients: number; seconds: number; replaySeconds: number; collections: boolean; explain: boolean;
}

function options(): Options | null {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string' }, days: { type: 'string' }, month: { type: 'string' }, jobs: { type: 'string' }, clients: { type: 'string' },
      seconds: { type: 'string' }, 'replay-seconds': { type: 'string' }, 'no-collections': { type: 'boolean' }, explain: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const number = (name: string, raw: string | undefined, fallback: number, whole: boolean) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) throw new Error(`--${name} must be a positive ${whole ? 'whole ' : ''}number`);
    return value;
  };
  const today = todayInVietnam();
  const previous = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 2, 1)).toISOString().slice(0, 7);
  const month = values.month ?? previous;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error('--month is YYYY-MM');
  return {
    scale: number('scale', values.scale, 1, false),
    days: number('days', values.days, 30, true),
    month,
    jobs: number('jobs', values.jobs, Math.max(1, cpus().length), true),
    clients: number('clients', values.clients, 50, true),
    seconds: number('seconds', values.seconds, 15, false),
    replaySeconds: number('replay-seconds', values['replay-seconds'], 5, false),
    collections: !values['no-collections'],
    explain: values.explain ?? false,
  };
}

/** Median of `runs` timed runs after `warmUps` untimed ones, in seconds; `check` sees the last result. */
async function medianOf<T>(run: () => Promise<T>, check: (result: T) => void = () => {}, runs = 3, warmUps = 1): Promise<{ median: number; times: number[]; result: T }> {
  let result = undefined as T;
  for (let i = 0; i < warmUps; i++) result = await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await run();
    times.push((performance.now() - started) / 1000);
  }
  check(result);
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], times, result };
}

interface Figure { section: string; label: string; value: string; target?: string; met?: boolean }

// ---------------------------------------------------------------------------------------------------------------
// Seeding

interface SeedFigures { movements: number; postings: number; codDispatches: number; remittances: number; reversals: number; seconds: number; vacuumSeconds: number; bytes: number }

async function seed(adminUrl: string, databaseUrl: string, opts: Options, days: string[], withRemittances: boolean): Promise<SeedFigures> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  // A bulk load: fewer checkpoints, and autovacuum after the load instead of during it (VACUUM ANALYZE below).
  for (const setting of [`max_wal_size = '4GB'`, `checkpoint_timeout = '30min'`, 'autovacuum = off']) await admin.query(`ALTER SYSTEM SET ${setting}`);
  await admin.query('SELECT pg_reload_conf()');

  const workers = await Promise.all(Array.from({ length: Math.min(opts.jobs, days.length) }, async () => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`SET synchronous_commit = off; SET work_mem = '128MB'`);
    return client;
  }));
  const weight = await networkWeight(workers[0]);
  const total: DaySeed = { day: '', movements: 0, reversals: 0, postings: 0, codDispatches: 0, remittances: 0 };
  const queue = [...days];
  let done = 0;
  const started = performance.now();
  const weekday = (day: string) => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(`${day}T00:00:00Z`).getUTCDay()];
  try {
    await Promise.all(workers.map(async (client) => {
      for (let day = queue.shift(); day !== undefined; day = queue.shift()) {
        const dayStarted = performance.now();
        const r = await seedPaymentsDay(client, day, movementsFor(day, opts.scale), { weight, remittances: withRemittances });
        const seconds = (performance.now() - dayStarted) / 1000;
        for (const key of ['movements', 'reversals', 'postings', 'codDispatches', 'remittances'] as const) total[key] += r[key];
        done++;
        const rows = r.movements + r.postings + r.codDispatches + r.remittances;
        const all = total.movements + total.postings + total.codDispatches + total.remittances;
        const elapsed = (performance.now() - started) / 1000;
        const left = elapsed / done * (days.length - done);
        say(`day ${day} ${weekday(day)} [${done}/${days.length}]: ${n(r.movements)} movements (${n(r.reversals)} reversals), ${n(r.postings)} postings, ` +
          `${n(r.codDispatches)} COD dispatches, ${n(r.remittances)} remittances in ${seconds.toFixed(1)} s = ${n(rows / seconds)} rows/s on this connection` +
          ` | so far ${n(total.movements)} movements, ${n(all / elapsed)} rows/s, about ${Math.ceil(left / 60)} min left`);
      }
    }));
  } finally {
    await Promise.all(workers.map((client) => client.end()));
  }
  const seconds = (performance.now() - started) / 1000;

  // What a month of production has had time to do: autovacuum's visibility map and statistics.
  await admin.query('ALTER SYSTEM RESET autovacuum');
  await admin.query('SELECT pg_reload_conf()');
  say('VACUUM (ANALYZE) of the seeded tables…');
  const vacuumStarted = performance.now();
  const tables = ['payments.payments', 'payments.ledger_entries', 'payments.cod_dispatches', ...(withRemittances ? ['payments.remittances'] : [])];
  await Promise.all([tables.filter((_, i) => i % 2 === 0), tables.filter((_, i) => i % 2 === 1)].map(async (mine) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try { for (const table of mine) await client.query(`VACUUM (ANALYZE) ${table}`); } finally { await client.end(); }
  }));
  const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
  await admin.end();
  const sizes = new Client({ connectionString: databaseUrl });
  await sizes.connect();
  const { rows: [{ bytes }] } = await sizes.query<{ bytes: string }>(`
    SELECT sum(pg_total_relation_size(relid))::text AS bytes
    FROM (SELECT relid FROM pg_partition_tree('payments.payments') UNION ALL SELECT relid FROM pg_partition_tree('payments.ledger_entries')
          UNION ALL SELECT 'payments.cod_dispatches'::regclass${withRemittances ? ` UNION ALL SELECT 'payments.remittances'::regclass` : ''}) AS t`);
  await sizes.end();
  return { movements: total.movements, postings: total.postings, codDispatches: total.codDispatches, remittances: total.remittances, reversals: total.reversals, seconds, vacuumSeconds, bytes: Number(bytes) };
}

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation

/**
 * The month in one statement, per postal point, with the definitions of the day's reconciliation
 * (reconciliation.sql.ts) over a range of days: collected, cash on delivery collected and handed out, remitted, due,
 * difference; totals and status counts over the lines. The service reconciles one day at a time; this is what a
 * month report would have to read without a daily aggregate.
 */
const MONTH_SQL = (withRemittances: boolean) => `
  WITH till AS (
    SELECT m.postal_point_code AS point,
           CASE m.type WHEN 'COLLECTION' THEN m.amount ELSE -m.amount END AS cash,
           CASE WHEN m.type = 'COLLECTION' AND m.purpose = 'CASH_ON_DELIVERY' THEN m.amount ELSE 0 END AS cod
    FROM payments.payments m
    WHERE m.business_date >= $1::date AND m.business_date < $2::date AND m.channel = 'COUNTER' AND m.type IN ('COLLECTION', 'DISBURSEMENT')
    UNION ALL
    SELECT o.postal_point_code, CASE o.type WHEN 'COLLECTION' THEN -r.amount ELSE r.amount END,
           CASE WHEN o.type = 'COLLECTION' AND o.purpose = 'CASH_ON_DELIVERY' THEN -r.amount ELSE 0 END
    FROM payments.payments r JOIN payments.payments o ON o.business_date = r.original_business_date AND o.id = r.original_id
    WHERE r.business_date >= $1::date AND r.business_date < $2::date AND r.type = 'REVERSAL'
      AND o.business_date >= $1::date AND o.business_date < $2::date AND o.channel = 'COUNTER' AND o.type IN ('COLLECTION', 'DISBURSEMENT')
  ),
  contributions AS (
    SELECT point, cash AS collected, cod AS cod_collected, 0::bigint AS cod_dispatched, NULL::bigint AS remitted FROM till
    UNION ALL
    SELECT d.postal_point_code, 0, 0, d.amount, NULL FROM payments.cod_dispatches d WHERE d.business_date >= $1::date AND d.business_date < $2::date
    ${withRemittances ? `UNION ALL SELECT r.postal_point_code, 0, 0, 0, r.amount FROM payments.remittances r WHERE r.business_date >= $1::date AND r.business_date < $2::date` : ''}
  ),
  lines AS (
    SELECT point, collected - cod_collected + cod_dispatched AS due, collected, remitted
    FROM (SELECT point, sum(collected) AS collected, sum(cod_collected) AS cod_collected, sum(cod_dispatched) AS cod_dispatched, sum(remitted) AS remitted
          FROM contributions GROUP BY point) s
  )
  SELECT count(*)::int AS line_count, sum(due)::text AS due, sum(collected)::text AS collected, coalesce(sum(remitted), 0)::text AS remitted,
         (coalesce(sum(remitted), 0) - sum(due))::text AS difference,
         count(*) FILTER (WHERE coalesce(remitted, 0) = due)::int AS matched
  FROM lines`;

async function reconcile(databaseUrl: string, days: string[], withRemittances: boolean, explain: boolean, figures: Figure[]): Promise<void> {
  const log = createLogger({ service: 'bench-payments', level: 'silent' });
  const payments = await openPaymentsDatabase(databaseUrl, log);
  const service = new ReconciliationService(payments.dataSource);
  const finance: Principal = { accountId: randomUUID(), role: Role.FINANCE, level: 2 };
  const day = days[Math.min(days.length - 1, 14)];
  const [{ province, points }] = await payments.dataSource.query(
    `SELECT province_code AS province, count(*)::int AS points FROM payments.postal_points WHERE is_open GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`);
  const section = 'reconciliation';
  const record = (label: string, seconds: number, target?: number) =>
    figures.push({ section, label, value: ms(seconds), ...(target === undefined ? {} : { target: `< ${ms(target)}`, met: seconds < target }) });
  try {
    if (!withRemittances) say('payments.remittances does not exist in this database: the service\'s statement reads it, so it cannot run here');
    say(`reconciling ${day} for every point (the service's reconcile(), as finance: totals and the first page; load ${loadAverage()})…`);
    const whole = await medianOf(() => service.reconcile(finance, { businessDate: day }), (c) => {
      say(`  ${n(c.totals.lineCount)} lines: ${c.totals.byStatus.map((s) => `${s.lineCount} ${s.status}`).join(', ')}; due ${c.totals.due} đồng, collected ${c.totals.collected}, remitted ${c.totals.remitted}`);
    });
    say(`  median ${ms(whole.median)} (runs ${whole.times.map(ms).join(', ')})`);
    record(`one day, all points (${day}, service)`, whole.median, 1);

    say(`reconciling ${day} for every point, every line (the CSV export's statement)…`);
    const exported = await medianOf(async () => { const { sql, params } = reconciliationExport({ businessDate: day }); return (await payments.dataSource.query(sql, params)) as unknown[]; },
      (rows) => say(`  ${n(rows.length)} lines`));
    say(`  median ${ms(exported.median)} (runs ${exported.times.map(ms).join(', ')})`);
    record(`one day, every line (${day}, CSV statement)`, exported.median, 1);

    say(`reconciling ${day} for province ${province} (${points} open points)…`);
    const one = await medianOf(() => service.reconcile(finance, { businessDate: day, provinceCode: province }), (c) => say(`  ${n(c.totals.lineCount)} lines`));
    say(`  median ${ms(one.median)} (runs ${one.times.map(ms).join(', ')})`);
    record(`one day, province ${province} (service)`, one.median, 1);

    say(`reconciling the month day by day (${days.length} calls of the service, ${days[0]} to ${days[days.length - 1]})…`);
    const byDay = await medianOf(async () => {
      let lines = 0;
      let due = 0n;
      for (const d of days) { const c = await service.reconcile(finance, { businessDate: d }); lines += c.totals.lineCount; due += c.totals.due; }
      return { lines, due };
    }, (r) => say(`  ${n(r.lines)} point-days, due ${r.due} đồng`));
    say(`  median ${(byDay.median).toFixed(1)} s (runs ${byDay.times.map((t) => t.toFixed(1)).join(', ')} s)`);
    record(`whole month, day by day (${days.length} service calls)`, byDay.median, 20);
  } catch (error) {
    say(`the reconciliation service failed: ${(error as Error).message}`);
    figures.push({ section, label: 'reconciliation service', value: `failed: ${(error as Error).message.slice(0, 60)}` });
  }
  try {
    const end = daysFrom(days[days.length - 1], 2)[1];
    say(`the month in one statement per point (the bench's own SQL with the service's definitions, not the service), ${days[0]} to ${days[days.length - 1]}…`);
    const month = await medianOf(async () => (await payments.dataSource.query(MONTH_SQL(withRemittances), [days[0], end]))[0],
      (r) => say(`  ${n(r.line_count)} points, due ${r.due} đồng, collected ${r.collected}, remitted ${r.remitted}, difference ${r.difference}, ${n(r.matched)} matched`));
    say(`  median ${month.median.toFixed(1)} s (runs ${month.times.map((t) => t.toFixed(1)).join(', ')} s)`);
    record('whole month, one statement (bench SQL, not the service)', month.median, 20);
    if (explain) {
      const plan = async (title: string, sql: string, params: unknown[]) => {
        const rows: { 'QUERY PLAN': string }[] = await payments.dataSource.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        console.log(`\n${title}:\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
      };
      const { sql, params } = reconciliationExport({ businessDate: day });
      await plan(`plan of the day's statement (${day}, every line)`, sql, params);
      await plan('plan of the month\'s statement', MONTH_SQL(withRemittances), [days[0], end]);
    }
  } finally {
    await payments.dataSource.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Collections through the gateway

/** An access token as identity issues it (ES256 with identity's key and kid, typ at+jwt), for a clerk of a point. */
function clerkToken(key: SigningKey, accountId: string, postalPointCode: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: Role.POSTAL_CLERK, level: 2, postal_point: postalPointCode })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer('national-identity-graph').setAudience(ACCESS_TOKEN_AUDIENCE).setSubject(accountId).setJti(randomUUID())
    .setIssuedAt(now).setExpirationTime(now + 3600)
    .sign(key.privateKey);
}

const COLLECT = 'mutation($input: CollectPaymentInput!) { collectPayment(input: $input) { id amount businessDate } }';

interface Clerk { accountId: string; point: string; token: string }
interface Sent { body: string; id: string }
interface LoadFigures { requests: number; ok: number; failed: number; seconds: number; p50: number; p99: number; firstError?: string; mismatched: number }

function postJson(agent: http.Agent, url: URL, body: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Every clerk sends requests back to back for `seconds`: `next` gives the body (and the id its answer must carry, for
 * replays); answers with a payment id are successes. Latencies are kept (one number per request).
 */
async function load(agent: http.Agent, url: URL, clerks: Clerk[], seconds: number, next: (clerk: number, i: number) => { body: string; expectId?: string },
  onOk: (clerk: number, body: string, id: string) => void = () => {}): Promise<LoadFigures> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let mismatched = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(clerks.map(async (clerk, c) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const { body, expectId } = next(c, i);
      const t = performance.now();
      try {
        const { status, text } = await postJson(agent, url, body, clerk.token);
        const json = JSON.parse(text) as { data?: { collectPayment?: { id: string } }; errors?: { message: string; extensions?: { code?: string } }[] };
        const id = json.data?.collectPayment?.id;
        if (status === 200 && id && !json.errors) {
          ok++;
          if (expectId !== undefined && id !== expectId) mismatched++;
          onOk(c, body, id);
        } else {
          failed++;
          firstError ??= `HTTP ${status}: ${json.errors?.[0]?.extensions?.code ?? ''} ${json.errors?.[0]?.message ?? text.slice(0, 120)}`;
        }
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const at = quantileOf(latencies);
  return { requests: latencies.length, ok, failed, seconds: elapsed, p50: at(0.5), p99: at(0.99), firstError, mismatched };
}

async function collections(databaseUrl: string, redisUrl: string, opts: Options, figures: Figure[]): Promise<void> {
  const jwtKey = await generateSigningKeyPem();
  const key = await loadSigningKey(jwtKey);
  const gatewayKeys = newEs256KeyPair();
  const [gatewayPort, identityPort, documentsPort, paymentsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'error', HOST: '127.0.0.1', DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `bench-payments:${Date.now()}:`, JWT_PRIVATE_KEY: jwtKey,
    GATEWAY_PRIVATE_KEY: gatewayKeys.privateKey, GATEWAY_PUBLIC_KEY: gatewayKeys.publicKey,
    GATEWAY_PORT: String(gatewayPort), IDENTITY_PORT: String(identityPort), DOCUMENTS_PORT: String(documentsPort), PAYMENTS_PORT: String(paymentsPort),
    IDENTITY_URL: `http://127.0.0.1:${identityPort}/graphql`, DOCUMENTS_URL: `http://127.0.0.1:${documentsPort}/graphql`, PAYMENTS_URL: `http://127.0.0.1:${paymentsPort}/graphql`,
    IDENTITY_JWKS_URL: `http://127.0.0.1:${identityPort}/.well-known/jwks.json`, SUPERGRAPH_PATH: `${ROOT}/schema/supergraph.graphql`,
    // The gateway's limits stay on and are counted for every request, as in production; only the per-address ceiling
    // is raised, since the 50 clerks, who would come from 50 post offices, all come from this machine's address here.
    RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
  };
  say('starting the graph (gateway, identity, documents, payments)…');
  let died: string | undefined;
  const graph = spawnGraph(env, (entry, code) => { died = `${entry} exited with ${code}`; say(died); }, 'inherit');
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.clients });
  const section = 'collections through the gateway';
  try {
    if (!(await waitForReady(`http://127.0.0.1:${gatewayPort}/ready`, 90_000))) throw new Error(died ?? 'the gateway did not become ready');
    const url = new URL(`http://127.0.0.1:${gatewayPort}/graphql`);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      // One clerk per point, points spread over the network (every k-th open point in code order).
      const { rows: points } = await db.query<{ code: string }>(`
        SELECT code FROM (SELECT code, row_number() OVER (ORDER BY code) AS i, count(*) OVER () AS total FROM payments.postal_points WHERE is_open) p
        WHERE (i - 1) % greatest(1, total / $1) = 0 ORDER BY code LIMIT $1`, [opts.clients]);
      const clerksFor = async () => Promise.all(points.map(async ({ code }) => {
        const accountId = randomUUID();
        return { accountId, point: code, token: await clerkToken(key, accountId, code) };
      }));
      const warmUpClerks = await clerksFor();
      const clerks = await clerksFor();
      let serial = 0;
      const fresh = () => JSON.stringify({ query: COLLECT, variables: { input: {
        idempotencyKey: randomUUID(), purpose: 'BILL_PAYMENT', agencyCode: 'EVN',
        billReference: `PE${String(1_000_000_000 + (serial++ % 9_000_000_000)).padStart(11, '0')}`,
        amount: String(50_000 + Math.floor(Math.random() * 1_950_000)),
      } } });

      // Each point's first collection alone (its clerk's first of the day), then all together: the postal points are in
      // the shared cache before the measured run, as they are on a working day.
      say(`warm-up: one collection at each of the ${points.length} points in turn, then ${points.length} clerks together for 3 s (other accounts, not counted)…`);
      for (const clerk of warmUpClerks) {
        const { status, text } = await postJson(agent, url, fresh(), clerk.token);
        if (status !== 200 || !text.includes('"collectPayment":{')) throw new Error(`a warm-up collection at ${clerk.point} failed: HTTP ${status} ${text.slice(0, 200)}`);
      }
      const warm = await load(agent, url, warmUpClerks, 3, () => ({ body: fresh() }));
      if (warm.ok === 0) throw new Error(`no collection succeeded: ${warm.firstError}`);

      // CPU time of each process over the run: what one collection costs where (Redis, not counted, is small).
      const [payments, identity, documents, gateway] = graph.children.map((child) => child.pid ?? 0);
      const meter = new CpuMeter(async () => ({
        gateway: [gateway], payments: [payments], 'identity + documents': [identity, documents],
        PostgreSQL: (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity')).rows.map((r) => r.pid),
        'load generator': [process.pid],
      }));
      const perRequest = (used: Record<string, number>, requests: number) => {
        const total = Object.values(used).reduce((a, b) => a + b, 0);
        const parts = Object.entries(used).map(([name, seconds]) => `${name} ${(seconds * 1000 / Math.max(1, requests)).toFixed(2)}`).join(', ');
        return { total: total * 1000 / Math.max(1, requests), text: `${parts}; total ${(total * 1000 / Math.max(1, requests)).toFixed(2)} ms` };
      };

      say(`collecting: ${clerks.length} clerks at ${clerks.length} postal points, a fresh idempotency key each, for ${opts.seconds} s (load ${loadAverage()})…`);
      const kept: Sent[][] = clerks.map(() => []);
      await meter.start();
      const run = await load(agent, url, clerks, opts.seconds, () => ({ body: fresh() }), (c, body, id) => { if (kept[c].length < 200) kept[c].push({ body, id }); });
      const cpu = perRequest(await meter.stop(), run.requests);
      const clerkIds = clerks.map((c) => c.accountId);
      const today = todayInVietnam();
      const around = daysFrom(today, 2);
      const count = async () => Number((await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM payments.payments WHERE business_date BETWEEN $1::date - 1 AND $2::date AND recorded_by_account_id = ANY($3::uuid[])`,
        [around[0], around[1], clerkIds])).rows[0].n);
      const written = await count();
      const rate = run.ok / run.seconds;
      say(`  ${n(run.ok)} collections in ${run.seconds.toFixed(1)} s = ${n(rate)}/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, ${run.failed} failed${run.firstError ? ` (first: ${run.firstError})` : ''}`);
      say(`  rows written by these clerks: ${n(written)} (${written === run.ok ? 'equal to' : 'NOT equal to'} the successes)`);
      say(`  CPU per collection, in ms: ${cpu.text} (so ${cpus().length} cores allow about ${n(cpus().length * 1000 / cpu.total)}/s if nothing else ran)`);
      figures.push({ section, label: `collections/s (${clerks.length} clerks, ${opts.seconds} s)`, value: n(rate), target: '≥ 1,000/s', met: rate >= 1000 });
      figures.push({ section, label: 'collection latency p50 / p99', value: `${run.p50.toFixed(1)} / ${run.p99.toFixed(1)} ms` });
      figures.push({ section, label: 'CPU per collection (all processes)', value: `${cpu.total.toFixed(2)} ms (≈ ${n(cpus().length * 1000 / cpu.total)}/s on ${cpus().length} cores)` });
      figures.push({ section, label: 'successes / failed / rows written', value: `${n(run.ok)} / ${n(run.failed)} / ${n(written)}`, target: 'rows = successes', met: written === run.ok });

      say(`replaying: the same clerks resend their earlier requests (same key, same content) for ${opts.replaySeconds} s…`);
      await meter.start();
      const replay = await load(agent, url, clerks, opts.replaySeconds, (c, i) => {
        const sent = kept[c][i % Math.max(1, kept[c].length)];
        return sent ? { body: sent.body, expectId: sent.id } : { body: fresh() };
      });
      const replayCpu = perRequest(await meter.stop(), replay.requests);
      const after = await count();
      const replayRate = replay.ok / replay.seconds;
      say(`  ${n(replay.ok)} replays in ${replay.seconds.toFixed(1)} s = ${n(replayRate)}/s, p50 ${replay.p50.toFixed(1)} ms, p99 ${replay.p99.toFixed(1)} ms, ${replay.failed} failed, ` +
        `${replay.mismatched} answered another payment; rows now ${n(after)} (${after === written ? 'none added' : `${n(after - written)} ADDED`})`);
      say(`  CPU per replay, in ms: ${replayCpu.text}`);
      figures.push({ section, label: 'replays/s (same key, same content)', value: n(replayRate) });
      figures.push({ section, label: 'replay latency p50 / p99', value: `${replay.p50.toFixed(1)} / ${replay.p99.toFixed(1)} ms` });
      figures.push({ section, label: 'replays answered with the first payment / rows added', value: `${n(replay.ok - replay.mismatched)} of ${n(replay.ok)} / ${n(after - written)}`,
        target: 'all / 0', met: replay.mismatched === 0 && after === written && replay.failed === 0 });

      // Where the time goes: the same collections straight at the payments subgraph (it verifies tokens itself).
      const direct = new URL(`http://127.0.0.1:${paymentsPort}/graphql`);
      const seconds = Math.min(5, opts.seconds);
      say(`for comparison: the same collections straight at the payments subgraph, without the gateway, for ${seconds} s (load ${loadAverage()})…`);
      const straight = await load(agent, direct, clerks, seconds, () => ({ body: fresh() }));
      say(`  ${n(straight.ok)} collections in ${straight.seconds.toFixed(1)} s = ${n(straight.ok / straight.seconds)}/s, p50 ${straight.p50.toFixed(1)} ms, p99 ${straight.p99.toFixed(1)} ms, ${straight.failed} failed`);
      figures.push({ section, label: 'for comparison: collections/s straight at the subgraph', value: `${n(straight.ok / straight.seconds)} (p99 ${straight.p99.toFixed(1)} ms)` });
    } finally {
      await db.end();
    }
  } finally {
    agent.destroy();
    await graph.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = options();
  if (!opts) { console.log(HELP); return; }
  const days = daysFrom(`${opts.month}-01`, opts.days);
  const figures: Figure[] = [];
  let failed = false;
  say(`scale ${opts.scale} (${n(NATIONAL_MOVEMENTS_PER_DAY * opts.scale)} movements a day on average), ${opts.days} days from ${days[0]}, ${opts.jobs} at a time, on ${cpus().length} cores`);
  say('starting PostgreSQL and redis-server…');
  const postgres = await startEmbeddedPostgres();
  const redis = await startRedisServer().catch(async (error) => { await postgres.stop(); throw error; });
  try {
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const databaseUrl = postgres.url.replace(/\/postgres$/, '/bench');

    say('applying the payments migrations and importing the generated network of 13,000 postal points…');
    const log = createLogger({ service: 'bench-payments', level: 'warn' });
    const payments = await openPaymentsDatabase(databaseUrl, log);
    try {
      const imported = await importPostalPoints(payments.dataSource, generatePostalPoints());
      say(`postal points: ${n(imported.inserted)} inserted`);
    } finally {
      await payments.dataSource.destroy();
    }
    const probe = new Client({ connectionString: databaseUrl });
    await probe.connect();
    const withRemittances = await hasRemittancesTable(probe);
    await probe.end();
    say(withRemittances ? 'payments.remittances exists: each point\'s end-of-day declaration is seeded too' : 'payments.remittances does not exist (yet): no declarations are seeded');

    const seeded = await seed(postgres.url, databaseUrl, opts, days, withRemittances);
    const rows = seeded.movements + seeded.postings + seeded.codDispatches + seeded.remittances;
    say(`seeded ${n(seeded.movements)} movements (${n(seeded.reversals)} reversals), ${n(seeded.postings)} postings, ${n(seeded.codDispatches)} COD dispatches, ` +
      `${n(seeded.remittances)} remittances in ${(seeded.seconds / 60).toFixed(1)} min: ${n(seeded.movements / seeded.seconds)} movements/s, ${n(rows / seeded.seconds)} rows/s; ` +
      `VACUUM (ANALYZE) ${seeded.vacuumSeconds.toFixed(0)} s; ${(seeded.bytes / 2 ** 30).toFixed(1)} GiB with indexes`);
    figures.push(
      { section: 'seed', label: 'scale / days', value: `${opts.scale} / ${opts.days} (${days[0]} to ${days[days.length - 1]})` },
      { section: 'seed', label: 'movements / postings', value: `${n(seeded.movements)} / ${n(seeded.postings)}` },
      { section: 'seed', label: 'COD dispatches / remittances', value: `${n(seeded.codDispatches)} / ${n(seeded.remittances)}` },
      { section: 'seed', label: 'seed time', value: `${(seeded.seconds / 60).toFixed(1)} min (+ VACUUM ANALYZE ${seeded.vacuumSeconds.toFixed(0)} s)` },
      { section: 'seed', label: 'seed rate', value: `${n(seeded.movements / seeded.seconds)} movements/s, ${n(rows / seeded.seconds)} rows/s` },
      { section: 'seed', label: 'size on disk (tables + indexes)', value: `${(seeded.bytes / 2 ** 30).toFixed(1)} GiB` },
    );

    await reconcile(databaseUrl, days, withRemittances, opts.explain, figures);

    if (opts.collections) {
      try {
        await collections(databaseUrl, redis.url, opts, figures);
      } catch (error) {
        failed = true;
        say(`collections through the gateway were not measured: ${(error as Error).message}`);
        figures.push({ section: 'collections through the gateway', label: 'collections/s', value: `not measured: ${(error as Error).message.slice(0, 60)}` });
      }
    }
  } finally {
    await redis.stop();
    await postgres.stop();
  }

  console.log(`\nPayments at national scale on this machine (${cpus().length} cores, load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}):\n`);
  console.log(`${'figure'.padEnd(64)} ${'value'.padEnd(42)} target`);
  let section = '';
  for (const f of figures) {
    if (f.section !== section) { section = f.section; console.log(`-- ${section}`); }
    const target = f.target ? `${f.target}: ${f.met ? 'met' : 'NOT met'}` : '';
    console.log(`${f.label.padEnd(64)} ${f.value.padEnd(42)} ${target}`);
  }
  if (failed) process.exitCode = 1;
}

main().catch((error) => { console.error(`bench:payments: ${(error as Error).stack ?? error}`); process.exit(1); });
