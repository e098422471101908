import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTHeaderParameters } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACTING_FOR_CLAIM, type ActingFor, type Role } from '../../subgraphs/shared/src/auth/roles';
import { ACCESS_TOKEN_TYPE, TOKEN_ALGORITHM } from '../../subgraphs/shared/src/auth/tokens';
import { freePort } from '../../scripts/lib/local-services';

export interface TestTokenClaims {
  role: Role;
  /** `sub`; a random UUID when omitted. */
  accountId?: string;
  /** Assurance level; 2 when omitted. */
  level?: 1 | 2;
  postalPointCode?: string;
  agencyCode?: string;
  /** The `act_for` claim of a token from actForOrganisation (identity checks nothing of it against its tables here). */
  actingFor?: ActingFor;
}

export interface TestTokenAuthority {
  jwksUrl: string;
  issuer: string;
  tokenFor(claims: TestTokenClaims): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A stand-in for the identity service's token keys: one ES256 key pair, its public half served as a JWKS
 * on a free port, and tokens signed with it carrying the claims subgraphs read. With it a single subgraph
 * is tested alone, as any role, and its tokens are verified exactly as in production.
 */
export async function startTestTokenAuthority(): Promise<TestTokenAuthority> {
  const issuer = 'national-identity-graph';
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' }] });

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else {
      res.writeHead(404).end();
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer,
    tokenFor: (claims) => signTestToken({ privateKey, kid, issuer }, claims),
    stop: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

/** Ways to spoil a token, for tests of what the verifiers refuse. */
export interface TokenTampering {
  /** Replaces the protected header (e.g. without `kid`, another `typ`). */
  header?: Partial<JWTHeaderParameters>;
  /** Seconds added to "now" for `iat` (a token issued in the future). */
  issuedInSeconds?: number;
  /** Claims set as given, over the others (an `act_for` of the wrong shape, say). */
  claims?: Record<string, unknown>;
}

/** Signs an access token as identity does (ES256, kid, typ at+jwt, issuer, audience), for any claims. */
export function signTestToken(key: { privateKey: CryptoKey; kid: string; issuer: string }, claims: TestTokenClaims, tampering: TokenTampering = {}): Promise<string> {
  const { role, accountId, level = 2, postalPointCode, agencyCode, actingFor } = claims;
  const now = Math.floor(Date.now() / 1000);
  const header: JWTHeaderParameters = { alg: TOKEN_ALGORITHM, kid: key.kid, typ: ACCESS_TOKEN_TYPE, ...tampering.header };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete (header as Record<string, unknown>)[name];
  return new SignJWT({
    role, level,
    ...(postalPointCode !== undefined ? { postal_point: postalPointCode } : {}),
    ...(agencyCode !== undefined ? { agency: agencyCode } : {}),
    ...(actingFor ? { [ACTING_FOR_CLAIM]: { organisation_id: actingFor.organisationId, delegation_id: actingFor.delegationId, scopes: actingFor.scopes } } : {}),
    ...tampering.claims,
  })
    .setProtectedHeader(header)
    .setSubject(accountId ?? randomUUID())
    .setIssuer(key.issuer)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(now + (tampering.issuedInSeconds ?? 0))
    .setJti(randomUUID())
    .setExpirationTime(now + (tampering.issuedInSeconds ?? 0) + 300)
    .sign(key.privateKey);
}
