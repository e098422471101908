import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACR_LEVEL_1, createLogger, GRANT_ENDED, GRANT_ID_CLAIM, grantEnded, GRAPH_SCOPE, REVOCATION_TTL_MS, RevocationList, Role, sessionEnded, TokenVerifier, type Logger,
} from '../../../shared/src';

/*
 * A relying party's access token for the graph names the single sign-on grant it was issued under (`grant_id`, put
 * there by provider.ts); identity announces `grant.ended` when the grant ends (oidc-store.ts), and every verifier's
 * revocation list then refuses the token, as for an ended session.
 */

const OIDC_ISSUER = 'https://id.example.vn/oidc';
const GRAPH_AUDIENCE = 'https://graph.example.vn/graphql';

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log = { warnings, debug: () => {}, info: () => {}, warn: (msg: string) => { warnings.push(msg); }, error: () => {}, child: () => log };
  return log;
}

describe('ended grants (single sign-on)', () => {
  let privateKey: CryptoKey;
  let jwks: JSONWebKeySet;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  });
  const rpToken = (claims: Record<string, unknown>) => new SignJWT({ client_id: 'rp-abc', scope: `openid ${GRAPH_SCOPE}`, acr: ACR_LEVEL_1, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }).setIssuer(OIDC_ISSUER).setAudience(GRAPH_AUDIENCE).setSubject(randomUUID())
    .setIssuedAt().setExpirationTime('10m').setJti(randomUUID()).sign(privateKey);

  it('are refused by the list by their exact id, for as long as a token can live, and kept with the ended sessions', () => {
    let now = Date.parse('2026-12-01T08:00:00Z');
    const list = new RevocationList({ log: createLogger({ service: 'test', level: 'silent' }), now: () => now });
    const accountId = randomUUID();
    const iat = Math.floor(now / 1000) - 60;
    list.note(grantEnded('Gr4nt_ID-abc'));
    expect(list.refusal({ accountId, issuedAtSeconds: iat, grantId: 'Gr4nt_ID-abc' })).toBe('SESSION_ENDED');
    // nanoid ids are case-sensitive: another case is another grant.
    expect(list.refusal({ accountId, issuedAtSeconds: iat, grantId: 'gr4nt_id-abc' })).toBeNull();
    expect(list.refusal({ accountId, issuedAtSeconds: iat, grantId: 'another' })).toBeNull();
    expect(list.refusal({ accountId, issuedAtSeconds: iat })).toBeNull();
    // A grant id is no session id, and the reverse.
    expect(list.refusal({ accountId, sessionId: 'Gr4nt_ID-abc', issuedAtSeconds: iat })).toBeNull();
    const session = randomUUID();
    list.note(sessionEnded(session, accountId));
    expect(list.refusal({ accountId, issuedAtSeconds: iat, grantId: session })).toBeNull();
    expect(list.size()).toEqual({ sessions: 2, accounts: 0, delegations: 0 });
    now += REVOCATION_TTL_MS;
    expect(list.refusal({ accountId, issuedAtSeconds: iat, grantId: 'Gr4nt_ID-abc' })).toBeNull();
  });

  it('ignore a malformed announcement, saying so', () => {
    const log = recordingLog();
    const list = new RevocationList({ log });
    list.note({ type: GRANT_ENDED, payload: { grantId: '' } });
    list.note({ type: GRANT_ENDED, payload: { grantId: 'x'.repeat(101) } });
    list.note({ type: GRANT_ENDED, payload: {} });
    expect(list.size().sessions).toBe(0);
    expect(log.warnings).toHaveLength(3);
  });

  it('make the verifier refuse a relying party\'s token naming the grant, and only those', async () => {
    const list = new RevocationList({ log: createLogger({ service: 'test', level: 'silent' }) });
    const verifier = new TokenVerifier({ jwks }, 'national-identity-graph', { relyingParties: { issuer: OIDC_ISSUER, audience: GRAPH_AUDIENCE }, revocations: list });
    const [ended, live] = [await rpToken({ [GRANT_ID_CLAIM]: 'grant-1' }), await rpToken({ [GRANT_ID_CLAIM]: 'grant-2' })];
    const unnamed = await rpToken({});
    const odd = await rpToken({ [GRANT_ID_CLAIM]: { id: 'grant-1' } });
    for (const token of [ended, live, unnamed, odd]) await expect(verifier.verify(token)).resolves.toMatchObject({ role: Role.CITIZEN, clientId: 'rp-abc' });
    list.note(grantEnded('grant-1'));
    await expect(verifier.verify(ended)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' } });
    for (const token of [live, unnamed, odd]) await expect(verifier.verify(token)).resolves.toMatchObject({ role: Role.CITIZEN });
  });
});
