import { baseEnvShape, jwksEnvShape, parseEnv, port } from '../../shared/src';

export const documentsEnvShape = {
  ...baseEnvShape,
  ...jwksEnvShape,
  DOCUMENTS_PORT: port(4002),
};

export type DocumentsConfig = ReturnType<typeof loadDocumentsConfig>;

export function loadDocumentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(documentsEnvShape, env);
}
