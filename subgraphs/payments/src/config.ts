import { z } from 'zod';
import { baseEnvShape, parseEnv, port } from '../../shared/src';

export const paymentsEnvShape = {
  ...baseEnvShape,
  HOST: z.string().default('127.0.0.1'),
  PAYMENTS_PORT: port(4003),
  /** Issuer of access tokens; every subgraph and the gateway expect the same value. */
  JWT_ISSUER: z.string().min(1).default('national-identity-graph'),
  /** The identity service's public keys: payments verifies every caller's token itself. */
  IDENTITY_JWKS_URL: z.string().url().default('http://127.0.0.1:4001/.well-known/jwks.json'),
};

export type PaymentsConfig = ReturnType<typeof loadPaymentsConfig>;

export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(paymentsEnvShape, env);
}
