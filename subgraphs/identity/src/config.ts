import { z } from 'zod';
import { baseEnvShape, ConfigError, parseEnv, port } from '../../shared/src';

export const identityEnvShape = {
  ...baseEnvShape,
  IDENTITY_PORT: port(4001),
  /** ES256 (P-256) private key, PKCS#8 PEM. Required in production; development generates one. */
  JWT_PRIVATE_KEY: z.string().optional(),
  /** Public keys (PEM) of earlier signing keys, still published during a rotation. */
  JWT_RETIRED_PUBLIC_KEYS: z.string().optional(),
  /** The payments subgraph, owner of postal points (to check the chosen verification point). */
  PAYMENTS_URL: z.string().url().default('http://127.0.0.1:4003/graphql'),
  /** The operator's SMS gateway. Required in production; development keeps messages in /dev/sms. */
  SMS_GATEWAY_URL: z.string().url().optional(),
  SMS_GATEWAY_TOKEN: z.string().optional(),
};

export type IdentityConfig = ReturnType<typeof loadIdentityConfig>;

export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = parseEnv(identityEnvShape, env);
  if (config.NODE_ENV === 'production') {
    const missing = (['JWT_PRIVATE_KEY', 'SMS_GATEWAY_URL', 'REDIS_URL'] as const).filter((k) => !config[k]);
    if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required when NODE_ENV=production`));
  }
  return config;
}
