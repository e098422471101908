import { calculateJwkThumbprint, exportPKCS8, generateKeyPair, importPKCS8, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { TOKEN_ALGORITHM } from '../../../shared/src';

/** The identity service's token signing key: private part for signing, public parts published as JWKS. */
export interface SigningKey { kid: string; privateKey: CryptoKey; jwks: JSONWebKeySet }

const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g;

async function publishedJwk(pem: string): Promise<JWK> {
  const publicJwk = createPublicKey(pem).export({ format: 'jwk' }) as JWK;
  if (publicJwk.kty !== 'EC' || publicJwk.crv !== 'P-256') throw new Error('token keys must be EC P-256 (ES256)');
  return { ...publicJwk, kid: await calculateJwkThumbprint(publicJwk), alg: TOKEN_ALGORITHM, use: 'sig' };
}

/**
 * `retiredPems` are the public (or private) keys of earlier signing keys: still published, so tokens
 * they signed stay valid until they expire, while every new token is signed with the current key.
 * That is how the key is rotated without logging everyone out.
 */
export async function loadSigningKey(pkcs8Pem: string, retiredPems = ''): Promise<SigningKey> {
  const privateKey = await importPKCS8(pkcs8Pem, TOKEN_ALGORITHM);
  const current = await publishedJwk(pkcs8Pem);
  const retired = await Promise.all((retiredPems.match(PEM_BLOCK) ?? []).map(publishedJwk));
  const keys = [current, ...retired.filter((key) => key.kid !== current.kid)];
  return { kid: current.kid!, privateKey, jwks: { keys } };
}

/** A new P-256 key as PKCS#8 PEM (development and tests; production passes JWT_PRIVATE_KEY). */
export async function generateSigningKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  return exportPKCS8(privateKey);
}

/**
 * The current signing key as a private JWK under the `kid` the graph publishes, for single sign-on: the OpenID Connect
 * provider signs ID tokens and relying parties' access tokens with it, so the graph's JWKS verifies them too.
 */
export function privateSigningJwk(pkcs8Pem: string, kid: string): JWK {
  const jwk = createPrivateKey(pkcs8Pem).export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' };
}
