import { z } from 'zod';
import { baseEnvShape, parseEnv, port } from '../../shared/src';

export const documentsEnvShape = {
  ...baseEnvShape,
  HOST: z.string().default('127.0.0.1'),
  DOCUMENTS_PORT: port(4002),
  JWT_ISSUER: z.string().min(1).default('national-identity-graph'),
  /** Where the identity service publishes its token keys. */
  IDENTITY_JWKS_URL: z.string().url().default('http://127.0.0.1:4001/.well-known/jwks.json'),
};

export type DocumentsConfig = ReturnType<typeof loadDocumentsConfig>;

export function loadDocumentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(documentsEnvShape, env);
}
