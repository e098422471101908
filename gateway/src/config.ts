import { z } from 'zod';
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
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(gatewayEnvShape, env);
}
