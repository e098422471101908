import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { bodyDigest, GatewayProofSigner, GatewayProofVerifier } from './gateway-proof';

function newEs256KeyPair() {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}
const keys = newEs256KeyPair();
const BODY = JSON.stringify({ query: '{ _service { sdl } }', variables: {} });
const digest = bodyDigest(BODY);
const verifier = (now?: () => number) => GatewayProofVerifier.fromPem(keys.publicKey, 'payments', now);

/** A proof made with jose, the way any standard JWT library would, to show the format is the standard one. */
async function joseProof(header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', ...header }).sign(await importPKCS8(keys.privateKey, 'ES256'));
}

describe('gateway proof', () => {
  it('is a standard ES256 JWT: jose verifies what the signer makes, and the verifier accepts what jose makes', async () => {
    const signer = await GatewayProofSigner.fromPem(keys.privateKey);
    const proof = signer.sign('payments', BODY, '203.0.113.7');
    const spki = createPublicKey(keys.publicKey).export({ format: 'pem', type: 'spki' }).toString();
    const { payload, protectedHeader } = await jwtVerify(proof, await importSPKI(spki, 'ES256'), { issuer: 'gateway', audience: 'payments', typ: 'gateway-proof+jwt' });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'gateway-proof+jwt' });
    expect(payload).toMatchObject({ bh: digest, ip: '203.0.113.7' });
    expect((await verifier()).verify(proof, digest)).toEqual({ subgraph: 'payments', clientIp: '203.0.113.7' });

    const iat = Math.floor(Date.now() / 1000);
    const made = await joseProof({ typ: 'gateway-proof+jwt' }, { iss: 'gateway', aud: 'payments', iat, exp: iat + 30, bh: digest, ip: '198.51.100.1' });
    expect((await verifier()).verify(made, digest)).toEqual({ subgraph: 'payments', clientIp: '198.51.100.1' });
  });

  it('refuses every proof that is not the gateway\'s, for this subgraph and body, and fresh', async () => {
    const signer = await GatewayProofSigner.fromPem(keys.privateKey);
    const forger = await GatewayProofSigner.fromPem(newEs256KeyPair().privateKey);
    const iat = Math.floor(Date.now() / 1000);
    const fine = { iss: 'gateway', aud: 'payments', iat, exp: iat + 30, bh: digest, ip: '127.0.0.1' };
    const good = signer.sign('payments', BODY, '127.0.0.1');
    const [h, p, sig] = good.split('.');
    const refused: Record<string, string> = {
      'another key': forger.sign('payments', BODY, '127.0.0.1'),
      'another subgraph': signer.sign('documents', BODY, '127.0.0.1'),
      'another body': signer.sign('payments', '{}', '127.0.0.1'),
      'two minutes old': (await GatewayProofSigner.fromPem(keys.privateKey, () => Date.now() - 120_000)).sign('payments', BODY, '127.0.0.1'),
      'issued in the future': (await GatewayProofSigner.fromPem(keys.privateKey, () => Date.now() + 60_000)).sign('payments', BODY, '127.0.0.1'),
      'payload swapped under the signature': `${h}.${Buffer.from(JSON.stringify({ ...fine, ip: '10.0.0.1' })).toString('base64url')}.${sig}`,
      'signature cut': `${h}.${p}.${sig.slice(0, 20)}`,
      'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'gateway-proof+jwt' })).toString('base64url')}.${p}.`,
      'another type': await joseProof({ typ: 'at+jwt' }, fine),
      'an extra header (kid, crit…)': await joseProof({ typ: 'gateway-proof+jwt', kid: 'x' }, fine),
      'another issuer': await joseProof({ typ: 'gateway-proof+jwt' }, { ...fine, iss: 'someone' }),
      'no address': await joseProof({ typ: 'gateway-proof+jwt' }, { ...fine, ip: undefined }),
      'expired': await joseProof({ typ: 'gateway-proof+jwt' }, { ...fine, iat: iat - 20, exp: iat - 10 }),
      'not a token': 'x.y.z',
      'empty': '',
    };
    const v = await verifier();
    for (const [how, proof] of Object.entries(refused)) expect({ how, claims: v.verify(proof, digest) }).toEqual({ how, claims: null });
    expect(v.verify(good, digest)).not.toBeNull();
  });

  it('accepts a few seconds of clock difference between gateway and subgraph, no more', async () => {
    const signer = await GatewayProofSigner.fromPem(keys.privateKey);
    const proof = signer.sign('payments', BODY, '127.0.0.1');
    expect((await verifier(() => Date.now() - 3_000)).verify(proof, digest)).not.toBeNull();
    expect((await verifier(() => Date.now() + 33_000)).verify(proof, digest)).not.toBeNull();
    expect((await verifier(() => Date.now() - 10_000)).verify(proof, digest)).toBeNull();
    expect((await verifier(() => Date.now() + 40_000)).verify(proof, digest)).toBeNull();
  });

  it('refuses a key that is not P-256', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expect(GatewayProofSigner.fromPem(rsa)).rejects.toThrow(/P-256/);
  });
});
