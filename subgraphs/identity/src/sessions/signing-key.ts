import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { createPublicKey } from 'node:crypto';
import { TOKEN_ALGORITHM } from '../../../shared/src';

/** The identity service's token signing key: private part for signing, public part published as JWKS. */
export interface SigningKey { kid: string; privateKey: CryptoKey; jwks: JSONWebKeySet }

export async function loadSigningKey(pkcs8Pem: string): Promise<SigningKey> {
  const privateKey = await importPKCS8(pkcs8Pem, TOKEN_ALGORITHM);
  const publicJwk = createPublicKey(pkcs8Pem).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, jwks: { keys: [{ ...publicJwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' }] } };
}

/** A new P-256 key as PKCS#8 PEM (development and tests; production passes JWT_PRIVATE_KEY). */
export async function generateSigningKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  return exportPKCS8(privateKey);
}

export { exportJWK };
