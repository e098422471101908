import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Raised when the environment is unusable; lists every bad variable at once, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Unset means production: a deployment that forgets NODE_ENV gets the safe behaviour (no SMS outbox, no
 * generated keys, no stack traces, no introspection). npm start and the tests say development and test.
 */
export const nodeEnv = z.enum(['development', 'test', 'production']).default('production');

/** Variables every service, the gateway included, reads. */
export const serviceEnvShape = {
  NODE_ENV: nodeEnv,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** 127.0.0.1 on a developer machine; 0.0.0.0 in a container. */
  HOST: z.string().default('127.0.0.1'),
  /** Issuer of access tokens; identity signs with it, everyone else expects it. */
  JWT_ISSUER: z.string().min(1).default('national-identity-graph'),
  /**
   * On SIGTERM, how long requests in flight may take to finish. Meanwhile new requests get 503 (reason SHUTTING_DOWN)
   * and /ready says 503, so a load balancer moves them to another replica; then the process stops.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
  /** The bearer token Prometheus sends to read /metrics. Unset: /metrics is open in development and off in production. */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
};

/** Where identity publishes its public keys: every other service verifies each caller's token itself. */
export const jwksEnvShape = {
  IDENTITY_JWKS_URL: z.string().url().default('http://127.0.0.1:4001/.well-known/jwks.json'),
};

/**
 * Single sign-on: relying parties' access tokens for the graph (auth/tokens.ts, `RelyingPartyTokens`). A service given
 * OIDC_ISSUER accepts them besides the graph's own tokens; GRAPH_AUDIENCE is the resource indicator naming the graph.
 */
export const relyingPartyTokensEnvShape = {
  /** The OpenID Connect provider's issuer URL, as relying parties reach it (identity serves it under /oidc). */
  OIDC_ISSUER: z.string().url().optional(),
  /** The audience of access tokens for the graph: relying parties ask for it as `resource`. */
  GRAPH_AUDIENCE: z.string().url().default('http://127.0.0.1:4000/graphql'),
};

/** Variables every subgraph reads. */
export const baseEnvShape = {
  ...serviceEnvShape,
  /** Unset means "no shared cache": caches go to the database, limiters stay per process. */
  REDIS_URL: z.string().url().optional(),
  /** Separates key spaces of deployments (and of test runs) sharing one Redis. */
  REDIS_KEY_PREFIX: z.string().default('nig:'),
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
  /**
   * The gateway's ES256 public key (PEM). Subgraphs answer `_entities` and `_service` only to requests the
   * gateway signed with its private key; there is no default, so a subgraph never trusts by accident.
   */
  GATEWAY_PUBLIC_KEY: pemKey('the gateway\'s public key (PEM), to verify its proof on each request'),
};

/** A PEM key (public, or private whose public half is used), checked at start so a bad paste fails loudly. */
export function pemKey(what: string) {
  return z.string({ error: `required: ${what}` }).min(1, `required: ${what}`).refine((pem) => {
    try { createPublicKey(pem.replace(/\\n/g, '\n')); return true; } catch { return false; }
  }, { message: `not a PEM key: ${what}` }).transform((pem) => pem.replace(/\\n/g, '\n'));
}

/**
 * Parses `env` against `shape`. Any variable may instead be given as a file, `NAME_FILE=/run/secrets/…`
 * (the convention of Docker and Kubernetes secrets), so keys need not sit in the environment.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const problems: string[] = [];
  const values: NodeJS.ProcessEnv = { ...env };
  for (const name of Object.keys(shape)) {
    const file = env[`${name}_FILE`];
    if (values[name] !== undefined || !file) continue;
    try { values[name] = readFileSync(file, 'utf8').trim(); } catch (error) { problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`); }
  }
  if (problems.length) throw new ConfigError(problems);
  const result = z.object(shape).safeParse(values);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return result.data;
}

/** Integer port, 0 meaning "any free port" (tests). */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
