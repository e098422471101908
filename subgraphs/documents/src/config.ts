import { z } from 'zod';
import { baseEnvShape, jwksEnvShape, parseEnv, port, relyingPartyTokensEnvShape } from '../../shared/src';

export const documentsEnvShape = {
  ...baseEnvShape,
  ...jwksEnvShape,
  // With OIDC_ISSUER, relying parties' access tokens for GRAPH_AUDIENCE are accepted too (single sign-on).
  ...relyingPartyTokensEnvShape,
  DOCUMENTS_PORT: port(4002),
  /** Where people reach the graph (the gateway), for links such as Dossier.receiptUrl. */
  GATEWAY_PUBLIC_URL: z.string().url().default('http://localhost:4000'),
};

export type DocumentsConfig = ReturnType<typeof loadDocumentsConfig>;

export function loadDocumentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(documentsEnvShape, env);
}
