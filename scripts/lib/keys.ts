import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface KeyPairPem { privateKey: string; publicKey: string }

/** A new ES256 (P-256) key pair: PKCS#8 private, SPKI public, both PEM. */
export function newEs256KeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/**
 * The gateway's proof key for a local run, kept in `file` (owner-only) so restarts keep it; production
 * passes GATEWAY_PRIVATE_KEY to the gateway and GATEWAY_PUBLIC_KEY to the subgraphs from its secret store.
 */
export function localGatewayKeys(file: string): { GATEWAY_PRIVATE_KEY: string; GATEWAY_PUBLIC_KEY: string } {
  if (!existsSync(file)) writeFileSync(file, newEs256KeyPair().privateKey, { mode: 0o600 });
  const privateKey = readFileSync(file, 'utf8');
  // The subgraphs need only the public half; the config derives it from any PEM key.
  return { GATEWAY_PRIVATE_KEY: privateKey, GATEWAY_PUBLIC_KEY: publicHalf(privateKey) };
}

export function publicHalf(privatePem: string): string {
  return createPublicKey(privatePem).export({ format: 'pem', type: 'spki' }).toString();
}
