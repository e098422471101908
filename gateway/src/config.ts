import { z } from 'zod';
import { createPrivateKey } from 'node:crypto';
import { DEFAULT_OPERATION_LIMITS, jwksEnvShape, parseEnv, port, relyingPartyTokensEnvShape, serviceEnvShape, type OperationLimits } from '../../subgraphs/shared/src';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './limits/request-limits';
import type { PersistedOperationsSettings } from './operations/persisted-operations';

export const gatewayEnvShape = {
  ...serviceEnvShape,
  ...jwksEnvShape,
  // With OIDC_ISSUER, relying parties' access tokens for GRAPH_AUDIENCE are accepted too (single sign-on).
  ...relyingPartyTokensEnvShape,
  GATEWAY_PORT: port(4000),
  /** The composed supergraph (`npm run compose`). */
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
  /**
   * How often the supergraph file is checked for a change, in ms; 0 turns the check off (SIGHUP still reloads it).
   * A new supergraph replaces the old without dropping requests; an invalid one is refused and logged.
   */
  SUPERGRAPH_WATCH_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
  /** Override the routing URLs written in the supergraph (docker, tests). */
  IDENTITY_URL: z.string().url().optional(),
  DOCUMENTS_URL: z.string().url().optional(),
  PAYMENTS_URL: z.string().url().optional(),
  /**
   * Optional. With it the gateway reads identity's event stream and refuses, from memory, access tokens whose session
   * or delegation has ended (subgraphs/shared/src/auth/revocations.ts), before planning anything. Without it the
   * gateway verifies tokens statelessly (signature and expiry only) and passes such a token on: the subgraphs, which
   * read the stream themselves, refuse it. The request limits count in it too, shared by every replica; without it each
   * replica counts its own.
   */
  REDIS_URL: z.string().url().optional(),
  /** The deployment's key prefix, the same as the subgraphs' (the stream is `<prefix>events:identity`). */
  REDIS_KEY_PREFIX: z.string().default('nig:'),
  /** A hung subgraph must not hang the request: @apollo/gateway has no timeout of its own. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * A subgraph that failed this many requests in a row (no answer, a timeout, an answer that is not GraphQL) is taken
   * as down for SUBGRAPH_BREAKER_COOLDOWN_MS: requests to it fail at once (SERVICE_UNAVAILABLE, reason CIRCUIT_OPEN)
   * and the fields of the other subgraphs still answer; then one request probes it (gateway/src/circuit-breaker.ts).
   */
  SUBGRAPH_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
  SUBGRAPH_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /**
   * The gateway's ES256 (P-256) private key, PKCS#8 PEM: it signs the proof on every request to a subgraph,
   * whose public half the subgraphs hold (GATEWAY_PUBLIC_KEY). Required: there is no gateway without it.
   */
  GATEWAY_PRIVATE_KEY: z.string({ error: 'required: the gateway\'s private key (PKCS#8 PEM)' }).transform((pem) => pem.replace(/\\n/g, '\n'))
    .refine((pem) => { try { return createPrivateKey(pem).asymmetricKeyType === 'ec'; } catch { return false; } }, { message: 'not an EC private key in PEM' }),
  /** Express "trust proxy" when a load balancer stands in front (true, a hop count, or addresses/subnets); unset = none. */
  TRUST_PROXY: z.string().optional(),
  /**
   * Operation limits, checked on every request before validation, planning or any subgraph call
   * (subgraphs/shared/src/operation-limits.ts says how each is counted and why these defaults).
   */
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(DEFAULT_OPERATION_LIMITS.maxDepth),
  MAX_ALIASES: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_OPERATION_LIMITS.maxAliases),
  MAX_ROOT_FIELDS: z.coerce.number().int().min(1).max(1_000).default(DEFAULT_OPERATION_LIMITS.maxRootFields),
  MAX_MUTATION_FIELDS: z.coerce.number().int().min(1).max(100).default(DEFAULT_OPERATION_LIMITS.maxMutationFields),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_OPERATION_LIMITS.maxDirectives),
  MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(DEFAULT_OPERATION_LIMITS.maxTokens),
  MAX_COST: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_OPERATION_LIMITS.maxCost),
  /**
   * Request limits (gateway/src/limits/): requests per client address and per client per minute, and requests in
   * flight per client, counted in Redis when REDIS_URL is set (shared by every replica), else per process. A partner
   * registered with its own `requestsPerMinute` gets that instead of RATE_LIMIT_PER_CLIENT_PER_MINUTE.
   */
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_REQUEST_LIMITS.requestsPerIpPerMinute),
  RATE_LIMIT_PER_CLIENT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_REQUEST_LIMITS.requestsPerClientPerMinute),
  CONCURRENCY_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_REQUEST_LIMITS.concurrentRequestsPerClient),
  /** The JSON body of a /graphql request, in bytes (413 past it), and the `query` string, in characters (refused before parsing). */
  MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(10 * 1024 * 1024).default(DEFAULT_REQUEST_LIMITS.maxBodyBytes),
  MAX_QUERY_LENGTH: z.coerce.number().int().min(100).max(10 * 1024 * 1024).default(DEFAULT_REQUEST_LIMITS.maxQueryLength),
  /**
   * Which operations clients may send (gateway/src/operations/): `apq` runs any operation and takes a registered
   * document's SHA-256 in its place (automatic persisted queries, in Redis with REDIS_URL, shared by every replica);
   * `safelist` runs only the operations of the manifest, sent whole or by hash, and registers nothing (production
   * portals); `off` takes documents only.
   */
  PERSISTED_OPERATIONS: z.enum(['off', 'apq', 'safelist']).default('apq'),
  /** The manifest `npm run operations:manifest` writes: required with `safelist`; with `apq` its operations are known by hash. */
  PERSISTED_OPERATIONS_MANIFEST: z.string().default('gateway/operations/manifest.json'),
  /**
   * How long a registered document is kept. Anyone can register documents, so storage is rate × this: an hour keeps
   * the portals' few dozen documents warm (each is registered again at most once an hour) and bounds the rest.
   */
  APQ_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(3_600),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(gatewayEnvShape, env);
}

export function requestLimitsOf(config: GatewayConfig): RequestLimits {
  return {
    requestsPerIpPerMinute: config.RATE_LIMIT_PER_IP_PER_MINUTE, requestsPerClientPerMinute: config.RATE_LIMIT_PER_CLIENT_PER_MINUTE,
    concurrentRequestsPerClient: config.CONCURRENCY_PER_CLIENT, maxBodyBytes: config.MAX_BODY_BYTES, maxQueryLength: config.MAX_QUERY_LENGTH,
  };
}

export function persistedOperationsOf(config: GatewayConfig): PersistedOperationsSettings {
  return { mode: config.PERSISTED_OPERATIONS, manifestPath: config.PERSISTED_OPERATIONS_MANIFEST, apqTtlSeconds: config.APQ_TTL_SECONDS };
}

export function operationLimitsOf(config: GatewayConfig): OperationLimits {
  return {
    maxDepth: config.MAX_QUERY_DEPTH, maxAliases: config.MAX_ALIASES, maxRootFields: config.MAX_ROOT_FIELDS,
    maxMutationFields: config.MAX_MUTATION_FIELDS, maxDirectives: config.MAX_DIRECTIVES, maxTokens: config.MAX_TOKENS, maxCost: config.MAX_COST,
  };
}
