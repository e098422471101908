import { z } from 'zod';
import { baseEnvShape, ConfigError, parseEnv, port, relyingPartyTokensEnvShape } from '../../shared/src';

export const identityEnvShape = {
  ...baseEnvShape,
  ...relyingPartyTokensEnvShape,
  IDENTITY_PORT: port(4001),
  /**
   * Keys of the single sign-on cookies (sessions, sign-in interactions): comma-separated, each at least 32 characters;
   * the first signs, all verify (add a new one first to rotate). Required in production; development generates one.
   */
  OIDC_COOKIE_KEYS: z.string().optional().transform((value) => value?.split(',').map((k) => k.trim()).filter(Boolean))
    .refine((keys) => !keys || (keys.length > 0 && keys.every((k) => k.length >= 32)), { message: 'OIDC_COOKIE_KEYS: comma-separated keys of at least 32 characters each' }),
  /** "true" when a TLS-terminating proxy stands in front of the sign-in pages (X-Forwarded-Proto makes cookies secure). */
  OIDC_TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** ES256 (P-256) private key, PKCS#8 PEM. Required in production; development generates one. */
  JWT_PRIVATE_KEY: z.string().optional(),
  /** Public keys (PEM) of earlier signing keys, still published during a rotation. */
  JWT_RETIRED_PUBLIC_KEYS: z.string().optional(),
  /** The payments subgraph, owner of postal points (to check the chosen verification point). */
  PAYMENTS_URL: z.string().url().default('http://127.0.0.1:4003/graphql'),
  /** The operator's SMS gateway. Required in production; development keeps messages in /dev/sms. */
  SMS_GATEWAY_URL: z.string().url().optional(),
  SMS_GATEWAY_TOKEN: z.string().optional(),
  /**
   * Key of the HMAC-SHA256 that one-time codes are stored under: six digits are only a million values, so
   * an unkeyed hash would be reversed by a table. Required in production (the same on every replica);
   * development generates one per process.
   */
  OTP_HMAC_SECRET: z.string().min(32, 'OTP_HMAC_SECRET must be at least 32 characters').optional(),
  /** Login attempts per client IP per 15 minutes (a right password gives its attempt back). */
  LOGIN_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(50),
  /** Registrations (each one a deliberately slow password hash) per client IP per hour. */
  REGISTRATIONS_PER_IP: z.coerce.number().int().min(1).default(30),
  /** Identity checks (verifyIdentity) per partner per minute, counted in Redis before anything is looked up. */
  PARTNER_CHECKS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /**
   * Signing in with an upstream OpenID Connect provider (VNeID) instead of a password: identity is its relying party,
   * registered there with the redirect URI `<OIDC_ISSUER>/upstream/callback`. Off (no button on the sign-in page)
   * unless UPSTREAM_OIDC_ISSUER is set; https, or http to this machine only.
   */
  UPSTREAM_OIDC_ISSUER: z.string().url().optional().refine((value) => !value || isSecureOrLoopback(value), {
    message: 'UPSTREAM_OIDC_ISSUER: https (http only to 127.0.0.1 or localhost)',
  }),
  UPSTREAM_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Unset: identity is a public client of the upstream (PKCE alone). Like any variable, may be given as UPSTREAM_OIDC_CLIENT_SECRET_FILE. */
  UPSTREAM_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The upstream's name on the button ("Đăng nhập bằng VNeID"). */
  UPSTREAM_OIDC_NAME: z.string().trim().min(1).max(40).default('VNeID'),
  /** The claim (in the ID token, else at userinfo) holding the person's 12-digit personal identification number. */
  UPSTREAM_OIDC_PIN_CLAIM: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'UPSTREAM_OIDC_PIN_CLAIM: a claim name').default('personal_id_number'),
  /** The scopes asked of the upstream (space-separated, openid among them). */
  UPSTREAM_OIDC_SCOPE: z.string().default('openid').refine((scope) => scope.split(' ').includes('openid'), { message: 'UPSTREAM_OIDC_SCOPE: must include openid' }),
};

function isSecureOrLoopback(value: string): boolean {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
}

export type IdentityConfig = ReturnType<typeof loadIdentityConfig>;

export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = parseEnv(identityEnvShape, env);
  // One without the other is a half-configured upstream: say so rather than show a button that cannot work.
  if (!config.UPSTREAM_OIDC_ISSUER !== !config.UPSTREAM_OIDC_CLIENT_ID) {
    throw new ConfigError([`${config.UPSTREAM_OIDC_ISSUER ? 'UPSTREAM_OIDC_CLIENT_ID' : 'UPSTREAM_OIDC_ISSUER'}: required with ${config.UPSTREAM_OIDC_ISSUER ? 'UPSTREAM_OIDC_ISSUER' : 'UPSTREAM_OIDC_CLIENT_ID'}`]);
  }
  if (config.NODE_ENV === 'production') {
    const missing: string[] = (['JWT_PRIVATE_KEY', 'SMS_GATEWAY_URL', 'REDIS_URL', 'OTP_HMAC_SECRET'] as const).filter((k) => !config[k]);
    // Single sign-on runs in production once OIDC_ISSUER names its public URL; its cookies then need keys of their own.
    if (config.OIDC_ISSUER && !config.OIDC_COOKIE_KEYS) missing.push('OIDC_COOKIE_KEYS');
    // The upstream sends people back to <OIDC_ISSUER>/upstream/callback: the public address, registered with it.
    if (config.UPSTREAM_OIDC_ISSUER && !config.OIDC_ISSUER) missing.push('OIDC_ISSUER');
    if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required when NODE_ENV=production`));
  }
  return config;
}
