import { createPublicKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE, Role, TokenVerifier } from '../../../shared/src';
import { generateSigningKeyPem, loadSigningKey } from './signing-key';

const ISSUER = 'national-identity-graph';

function tokenFrom(key: Awaited<ReturnType<typeof loadSigningKey>>): Promise<string> {
  return new SignJWT({ role: Role.CITIZEN, level: 2 }).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER).setAudience(ACCESS_TOKEN_AUDIENCE).setSubject('a').setIssuedAt().setExpirationTime('5m').sign(key.privateKey);
}

describe('signing keys', () => {
  it('publishes only public parts, named by their thumbprint', async () => {
    const key = await loadSigningKey(await generateSigningKeyPem());
    expect(key.jwks.keys).toHaveLength(1);
    expect(key.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid });
    expect(key.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('rotates: tokens of the retired key still verify, new tokens use the new key', async () => {
    const oldPem = await generateSigningKeyPem();
    const oldKey = await loadSigningKey(oldPem);
    const oldToken = await tokenFrom(oldKey);
    const oldPublicPem = createPublicKey(oldPem).export({ format: 'pem', type: 'spki' }).toString();

    const rotated = await loadSigningKey(await generateSigningKeyPem(), oldPublicPem);
    expect(rotated.kid).not.toBe(oldKey.kid);
    expect(rotated.jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, oldKey.kid]);
    const verifier = new TokenVerifier({ jwks: rotated.jwks }, ISSUER);
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ role: Role.CITIZEN });
    await expect(verifier.verify(await tokenFrom(rotated))).resolves.toMatchObject({ role: Role.CITIZEN });

    // Once the old key is no longer published, its tokens are refused.
    const dropped = new TokenVerifier({ jwks: (await loadSigningKey(await generateSigningKeyPem())).jwks }, ISSUER);
    await expect(dropped.verify(oldToken)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a key that is not P-256', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    await expect(loadSigningKey(await generateSigningKeyPem(), rsa)).rejects.toThrow(/P-256/);
  });
});
