import { z } from 'zod';
import { createPrivateKey } from 'node:crypto';
import { jwksEnvShape, parseEnv, port, serviceEnvShape } from '../../subgraphs/shared/src';

export const gatewayEnvShape = {
  ...serviceEnvShape,
  ...jwksEnvShape,
  GATEWAY_PORT: port(4000),
  /** The composed supergraph (`npm run compose`). */
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
  /** Override the routing URLs written in the supergraph (docker, tests). */
  IDENTITY_URL: z.string().url().optional(),
  DOCUMENTS_URL: z.string().url().optional(),
  PAYMENTS_URL: z.string().url().optional(),
  /** A hung subgraph must not hang the request: @apollo/gateway has no timeout of its own. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * The gateway's ES256 (P-256) private key, PKCS#8 PEM: it signs the proof on every request to a subgraph,
   * whose public half the subgraphs hold (GATEWAY_PUBLIC_KEY). Required: there is no gateway without it.
   */
  GATEWAY_PRIVATE_KEY: z.string({ error: 'required: the gateway\'s private key (PKCS#8 PEM)' }).transform((pem) => pem.replace(/\\n/g, '\n'))
    .refine((pem) => { try { return createPrivateKey(pem).asymmetricKeyType === 'ec'; } catch { return false; } }, { message: 'not an EC private key in PEM' }),
  /** Express "trust proxy" when a load balancer stands in front (true, a hop count, or addresses/subnets); unset = none. */
  TRUST_PROXY: z.string().optional(),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(gatewayEnvShape, env);
}
