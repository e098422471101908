import { baseEnvShape, jwksEnvShape, parseEnv, port, relyingPartyTokensEnvShape } from '../../shared/src';

export const paymentsEnvShape = {
  ...baseEnvShape,
  ...jwksEnvShape,
  // With OIDC_ISSUER, relying parties' access tokens for GRAPH_AUDIENCE are accepted too (single sign-on).
  ...relyingPartyTokensEnvShape,
  PAYMENTS_PORT: port(4003),
};

export type PaymentsConfig = ReturnType<typeof loadPaymentsConfig>;

export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(paymentsEnvShape, env);
}
