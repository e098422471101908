import { randomUUID } from 'node:crypto';
import { CompactSign, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Role, TokenVerifier, TOKEN_ALGORITHM } from '../../../shared/src';
import { signTestToken } from '../../../../test/kit/tokens';
import { generateSigningKeyPem, loadSigningKey, type SigningKey } from '../sessions/signing-key';
import { QR_PAYLOAD_TYPE, QrPayloadCodec } from './qr-payload';

/** Changes one character in the middle of a segment of a compact JWS (never to the same letter). */
function tamper(jws: string, segment: 0 | 1 | 2): string {
  const parts = jws.split('.');
  const at = Math.floor(parts[segment].length / 2);
  const original = parts[segment][at];
  parts[segment] = parts[segment].slice(0, at) + (original === 'A' ? 'B' : 'A') + parts[segment].slice(at + 1);
  return parts.join('.');
}

describe('the identity QR payload', () => {
  let key: SigningKey;
  let codec: QrPayloadCodec;
  beforeAll(async () => {
    key = await loadSigningKey(await generateSigningKeyPem());
    codec = new QrPayloadCodec(key);
  });

  it('names the code and nothing else, signed ES256 under its own typ, short enough for a QR code', async () => {
    const id = randomUUID();
    const payload = await codec.sign(id);
    expect(payload.length).toBeLessThan(400);
    expect(decodeProtectedHeader(payload)).toEqual({ alg: 'ES256', kid: key.kid, typ: QR_PAYLOAD_TYPE });
    expect(JSON.parse(Buffer.from(payload.split('.')[1], 'base64url').toString())).toEqual({ jti: id });
    expect(await codec.read(payload)).toBe(id);
    expect(await codec.read(`  ${payload}\n`)).toBe(id);
  });

  it('refuses a payload with any character changed, in the header, the claims or the signature', async () => {
    const payload = await codec.sign(randomUUID());
    for (const segment of [0, 1, 2] as const) expect(await codec.read(tamper(payload, segment)), `segment ${segment}`).toBeNull();
  });

  it('refuses a payload signed with another key, even one that claims our key id', async () => {
    const other = await loadSigningKey(await generateSigningKeyPem());
    const id = randomUUID();
    expect(await codec.read(await new QrPayloadCodec(other).sign(id))).toBeNull();
    const impostor = await new CompactSign(new TextEncoder().encode(JSON.stringify({ jti: id })))
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: QR_PAYLOAD_TYPE }).sign(other.privateKey);
    expect(await codec.read(impostor)).toBeNull();
  });

  it('refuses an access token signed with the same key, and the token verifier refuses a QR payload', async () => {
    const accessToken = await signTestToken({ privateKey: key.privateKey, kid: key.kid, issuer: 'national-identity-graph' }, { role: Role.CITIZEN, accountId: randomUUID() });
    expect(await codec.read(accessToken)).toBeNull();
    // Signed by our key with our typ, but a different body: still not a payload.
    const sign = (claims: unknown) => new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: QR_PAYLOAD_TYPE }).sign(key.privateKey);
    for (const claims of [{ jti: 'not-a-uuid' }, { sub: randomUUID() }, [randomUUID()], 'x']) expect(await codec.read(await sign(claims))).toBeNull();
    // The right body signed by our key, under any other type (or none), is not a payload either.
    for (const typ of ['at+jwt', 'JWT', undefined]) {
      const typed = await new CompactSign(new TextEncoder().encode(JSON.stringify({ jti: randomUUID() })))
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, ...(typ ? { typ } : {}) }).sign(key.privateKey);
      expect(await codec.read(typed), String(typ)).toBeNull();
    }
    const verifier = new TokenVerifier({ jwks: key.jwks }, 'national-identity-graph');
    await expect(verifier.verify(await codec.sign(randomUUID()))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses garbage without trying', async () => {
    for (const payload of ['', 'hello', 'a.b.c', 'x'.repeat(5000), `${'a'.repeat(600)}.${'b'.repeat(600)}.c`]) expect(await codec.read(payload)).toBeNull();
  });

  it('still reads a code made just before a key rotation (the old key is published as retired)', async () => {
    const oldPem = await generateSigningKeyPem();
    const old = await loadSigningKey(oldPem);
    const id = randomUUID();
    const made = await new QrPayloadCodec(old).sign(id);
    const rotated = await loadSigningKey(await generateSigningKeyPem(), oldPem);
    expect(await new QrPayloadCodec(rotated).read(made)).toBe(id);
  });
});
