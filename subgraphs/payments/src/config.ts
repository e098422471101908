import { baseEnvShape, jwksEnvShape, parseEnv, port } from '../../shared/src';

export const paymentsEnvShape = {
  ...baseEnvShape,
  ...jwksEnvShape,
  PAYMENTS_PORT: port(4003),
};

export type PaymentsConfig = ReturnType<typeof loadPaymentsConfig>;

export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(paymentsEnvShape, env);
}
