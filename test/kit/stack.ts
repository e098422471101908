import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { startGateway } from '../../gateway/src/index';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startDocuments, type RunningDocuments } from '../../subgraphs/documents/src/index';
import { loadDocumentsConfig } from '../../subgraphs/documents/src/config';
import { startIdentity, type RunningIdentity } from '../../subgraphs/identity/src/index';
import { loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { startPayments } from '../../subgraphs/payments/src/index';
import { loadPaymentsConfig } from '../../subgraphs/payments/src/config';
import { generatePostalPoints } from '../../subgraphs/payments/src/postal-points/postal-point.generator';
import { importPostalPoints } from '../../subgraphs/payments/src/postal-points/postal-point.import';
import type { RunningService } from '../../subgraphs/shared/src';
import { freePort } from '../../scripts/lib/local-services';
import { testGatewayKeys } from './gateway-proof';
import { signTestToken, type TestTokenClaims, type TokenTampering } from './tokens';
import { generateSigningKeyPem, loadSigningKey } from '../../subgraphs/identity/src/sessions/signing-key';

export interface Stack {
  gatewayUrl: string;
  identity: RunningIdentity;
  documents: RunningDocuments;
  payments: RunningService & { database: RunningDocuments['database'] };
  gateway: RunningService;
  databaseUrl: string;
  redis: Redis;
  keyPrefix: string;
  /** An access token signed with identity's key, for any role (staff accounts need not exist for most checks). */
  tokenFor(claims: TestTokenClaims, tampering?: TokenTampering): Promise<string>;
  /** SQL statements run so far by the three subgraphs together. */
  sqlStatements(): number;
  /** Empties this stack's cache keys (not other files'). */
  flushCache(): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh database on the run's PostgreSQL, for one test file. */
export async function createTestDatabase(adminUrl = inject('postgresUrl')): Promise<string> {
  const name = `t_${inject('runId')}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try { await admin.query(`CREATE DATABASE "${name}"`); } finally { await admin.end(); }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The whole graph in this process: three subgraphs and the gateway on free ports, seeded. */
export async function startStack(options: { postalPoints?: number; redisUrl?: string; postgresUrl?: string; /** Settings identity gets besides the stack's own (read when the stack starts). */ identityEnv?: Record<string, string> } = {}): Promise<Stack> {
  const databaseUrl = await createTestDatabase(options.postgresUrl);
  const keyPrefix = `test:${randomBytes(4).toString('hex')}:`;
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const { GATEWAY_PRIVATE_KEY, GATEWAY_PUBLIC_KEY } = testGatewayKeys();
  const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix, HOST: '127.0.0.1', GATEWAY_PUBLIC_KEY };

  // Ports are chosen first so that every service knows the others' URLs (JWKS is fetched lazily).
  const [identityPort, paymentsPort] = [await freePort(), await freePort()];
  const jwks = `http://127.0.0.1:${identityPort}/.well-known/jwks.json`;
  // Single sign-on: identity's provider, and the audience of relying parties' tokens for the graph.
  const sso = { OIDC_ISSUER: `http://127.0.0.1:${identityPort}/oidc`, GRAPH_AUDIENCE: 'http://127.0.0.1:4000/graphql' };
  const payments = await startPayments(loadPaymentsConfig({ ...base, PAYMENTS_PORT: String(paymentsPort), IDENTITY_JWKS_URL: jwks, ...sso }));
  const signingPem = await generateSigningKeyPem();
  const signingKey = await loadSigningKey(signingPem);
  const identity = await startIdentity(loadIdentityConfig({ ...base, IDENTITY_PORT: String(identityPort), PAYMENTS_URL: `${payments.url}/graphql`, JWT_PRIVATE_KEY: signingPem, ...sso, ...options.identityEnv }));
  const documents = await startDocuments(loadDocumentsConfig({ ...base, DOCUMENTS_PORT: '0', IDENTITY_JWKS_URL: jwks, ...sso }));
  // The catalogue and fee schedules came with the migrations; postal points come the way production's do.
  await importPostalPoints(payments.database.dataSource, generatePostalPoints({ total: options.postalPoints ?? 400 }));
  const gateway = await startGateway(loadGatewayConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', GATEWAY_PRIVATE_KEY,
    SUPERGRAPH_PATH: path.join(__dirname, '../../schema/supergraph.graphql'),
    IDENTITY_URL: `${identity.url}/graphql`, DOCUMENTS_URL: `${documents.url}/graphql`, PAYMENTS_URL: `${payments.url}/graphql`,
    IDENTITY_JWKS_URL: jwks, ...sso,
    // The gateway reads identity's events to refuse tokens of ended sessions and delegations (revocations.ts).
    REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix,
    // The suite's traffic all comes from 127.0.0.1, in bursts (100 parallel payments): request limits far above it, and
    // the sizes of before (1 MB bodies, no query length). test/e2e/gateway-limits.test.ts tests the limits themselves.
    RATE_LIMIT_PER_IP_PER_MINUTE: '1000000', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '1000000', CONCURRENCY_PER_CLIENT: '100000',
    MAX_BODY_BYTES: String(1024 * 1024), MAX_QUERY_LENGTH: String(10 * 1024 * 1024),
  }));
  const redis = new Redis(inject('redisUrl'), { lazyConnect: false, maxRetriesPerRequest: 1 });
  const counters = [identity.database.queries, documents.database.queries, payments.database.queries];
  return {
    gatewayUrl: `${gateway.url}/graphql`,
    identity, documents, payments: payments, gateway, databaseUrl, redis, keyPrefix,
    tokenFor: (claims, tampering) => signTestToken({ privateKey: signingKey.privateKey, kid: signingKey.kid, issuer: 'national-identity-graph' }, claims, tampering),
    sqlStatements: () => counters.reduce((sum, c) => sum + c.count, 0),
    async flushCache() {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(...keys);
    },
    async stop() {
      await gateway.stop();
      await documents.stop();
      await identity.stop();
      await payments.stop();
      redis.disconnect();
    },
  };
}

/**
 * Starts a stack before the tests of the enclosing `describe` and stops it after. The returned object
 * stands for the stack once it has started (reading it earlier is an error).
 */
export function useStack(options: Parameters<typeof startStack>[0] = {}): Stack {
  let stack: Stack | undefined;
  beforeAll(async () => { stack = await startStack(options); });
  afterAll(async () => { await stack?.stop(); });
  return new Proxy({} as Stack, {
    get(_target, property) {
      if (!stack) throw new Error('the stack did not start');
      return stack[property as keyof Stack];
    },
  });
}

/**
 * Environment for one subgraph started alone in a test: its own database, this run's Redis under the
 * given key prefix, tokens from a test authority (see tokens.ts).
 */
export async function subgraphTestEnv(keyPrefix: string, authority: { jwksUrl: string; issuer: string }): Promise<NodeJS.ProcessEnv> {
  return {
    NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1',
    DATABASE_URL: await createTestDatabase(),
    REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: keyPrefix,
    IDENTITY_JWKS_URL: authority.jwksUrl, JWT_ISSUER: authority.issuer,
    GATEWAY_PUBLIC_KEY: testGatewayKeys().GATEWAY_PUBLIC_KEY,
  };
}
