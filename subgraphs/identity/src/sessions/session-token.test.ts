import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE, Role, TOKEN_ALGORITHM, TokenVerifier } from '../../../shared/src';
import { Account, AssuranceLevel } from '../accounts/account.entity';
import { SessionService } from './session.service';
import { generateSigningKeyPem, loadSigningKey, type SigningKey } from './signing-key';

const ISSUER = 'national-identity-graph';

function sign(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: Role.CITIZEN, level: 1, ...claims })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(ISSUER).setAudience(ACCESS_TOKEN_AUDIENCE).setSubject(randomUUID()).setIssuedAt(now).setExpirationTime(now + 60)
    .sign(key.privateKey);
}

describe('the session an access token belongs to', () => {
  it('is named by the sid claim of the tokens identity issues, and read back by identity\'s verifier', async () => {
    const key = await loadSigningKey(await generateSigningKeyPem());
    const verifier = new TokenVerifier({ jwks: key.jwks }, ISSUER);
    const sessions = new SessionService(undefined as never, key, ISSUER);
    const account = Object.assign(new Account(), { id: randomUUID(), role: Role.CITIZEN, level: AssuranceLevel.LEVEL_2, postalPointCode: null, agencyCode: null });
    const sessionId = randomUUID();
    const principal = await verifier.verify((await sessions.accessToken(account, sessionId)).token);
    expect(principal).toMatchObject({ accountId: account.id, role: Role.CITIZEN, level: 2, sessionId });
    expect(principal.sessionId).toBe(sessionId);
  });

  it.each([['no sid', {}], ['a sid that is no session id', { sid: 'x; DROP' }], ['a number', { sid: 42 }]])('is unknown for a token with %s', async (_label, claims) => {
    const key = await loadSigningKey(await generateSigningKeyPem());
    const principal = await new TokenVerifier({ jwks: key.jwks }, ISSUER).verify(await sign(key, claims));
    expect(principal.sessionId).toBeUndefined();
  });

  it('verifies as strictly as every subgraph: a token signed by another key is refused, sid or not', async () => {
    const [key, other] = [await loadSigningKey(await generateSigningKeyPem()), await loadSigningKey(await generateSigningKeyPem())];
    const forged = await sign({ ...other, kid: key.kid }, { sid: randomUUID() });
    await expect(new TokenVerifier({ jwks: key.jwks }, ISSUER).verify(forged)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
