import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { ACR_LEVEL_1, ACR_LEVEL_2, GRAPH_SCOPE } from './assurance';
import { accountSessionsEnded, RevocationList } from './revocations';
import { ACCESS_TOKEN_AUDIENCE, Role } from './roles';
import { TokenVerifier } from './tokens';

const GRAPH_ISSUER = 'national-identity-graph';
const OIDC_ISSUER = 'https://id.example.vn/oidc';
const GRAPH_AUDIENCE = 'https://graph.example.vn/graphql';

describe('the token verifier with relying parties\' tokens', () => {
  let privateKey: CryptoKey;
  let jwks: JSONWebKeySet;
  const kid = 'k1';
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  });

  const relyingParties = { issuer: OIDC_ISSUER, audience: GRAPH_AUDIENCE };
  const sign = (claims: Record<string, unknown>, { issuer = OIDC_ISSUER, audience = GRAPH_AUDIENCE, typ = 'at+jwt' } = {}) => new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid, typ }).setIssuer(issuer).setAudience(audience).setSubject((claims.sub as string) ?? randomUUID())
    .setIssuedAt().setExpirationTime('10m').setJti(randomUUID()).sign(privateKey);
  const rpToken = (claims: Record<string, unknown> = {}, options = {}) => sign({ client_id: 'rp-abc', scope: `openid ${GRAPH_SCOPE}`, acr: ACR_LEVEL_1, ...claims }, options);

  it('reads a relying party\'s token as the person acting as a citizen, at the level its acr states', async () => {
    const verifier = new TokenVerifier({ jwks }, GRAPH_ISSUER, { relyingParties });
    const sub = randomUUID();
    expect(await verifier.verify(await rpToken({ sub, acr: ACR_LEVEL_2 }))).toEqual({ accountId: sub, role: Role.CITIZEN, level: 2, clientId: 'rp-abc' });
    // Claims that grant more in the graph's own tokens are not read from a relying party's.
    expect(await verifier.verify(await rpToken({ sub, role: Role.ADMINISTRATOR, level: 2, postal_point: 'X' }))).toEqual({ accountId: sub, role: Role.CITIZEN, level: 1, clientId: 'rp-abc' });
  });

  it('still verifies the graph\'s own tokens, each profile with its own audience', async () => {
    const verifier = new TokenVerifier({ jwks }, GRAPH_ISSUER, { relyingParties });
    await expect(verifier.verify(await sign({ role: Role.CITIZEN, level: 2 }, { issuer: GRAPH_ISSUER, audience: ACCESS_TOKEN_AUDIENCE }))).resolves.toMatchObject({ role: Role.CITIZEN, level: 2 });
    // The graph's issuer with the relying parties' audience, and the reverse, are neither.
    await expect(verifier.verify(await sign({ role: Role.CITIZEN, level: 2 }, { issuer: GRAPH_ISSUER, audience: GRAPH_AUDIENCE }))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(verifier.verify(await rpToken({}, { audience: ACCESS_TOKEN_AUDIENCE }))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it.each([
    ['without the graph scope', { scope: 'openid profile' }, 'INSUFFICIENT_SCOPE'],
    ['with no scope at all', { scope: undefined }, 'INSUFFICIENT_SCOPE'],
    ['with an acr that is no level', { acr: 'urn:other:loa:3' }, undefined],
    ['without acr', { acr: undefined }, undefined],
    ['whose subject is no account id', { sub: 'rp-abc' }, undefined],
    ['without client_id', { client_id: undefined }, undefined],
  ])('refuses a relying party\'s token %s', async (_label, claims, reason) => {
    const verifier = new TokenVerifier({ jwks }, GRAPH_ISSUER, { relyingParties });
    const merged: Record<string, unknown> = { client_id: 'rp-abc', scope: `openid ${GRAPH_SCOPE}`, acr: ACR_LEVEL_1, ...claims };
    for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
    const actual = await sign(merged);
    const error = await verifier.verify(actual).then(() => null, (e) => e);
    expect(error?.extensions?.code).toBe('UNAUTHENTICATED');
    if (reason) expect(error.extensions.reason).toBe(reason);
  });

  it('refuses an ID token (not at+jwt), and any relying party\'s token where none are configured', async () => {
    await expect(new TokenVerifier({ jwks }, GRAPH_ISSUER, { relyingParties }).verify(await rpToken({}, { typ: 'JWT' }))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(new TokenVerifier({ jwks }, GRAPH_ISSUER).verify(await rpToken())).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a relying party\'s token issued before every session of the account was ended (a suspension)', async () => {
    const list = new RevocationList({ log: createLogger({ service: 'test', level: 'silent' }) });
    const verifier = new TokenVerifier({ jwks }, GRAPH_ISSUER, { relyingParties, revocations: list });
    const sub = randomUUID();
    const token = await rpToken({ sub });
    list.note(accountSessionsEnded(sub, new Date(Date.now() + 1000)));
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' } });
  });

  it('will not take one issuer for both', () => {
    expect(() => new TokenVerifier({ jwks }, GRAPH_ISSUER, { relyingParties: { issuer: GRAPH_ISSUER, audience: GRAPH_AUDIENCE } })).toThrow(/issuer of their own/);
  });
});
