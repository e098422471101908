import { createHash, createPrivateKey, createPublicKey, sign as ecdsaSign, verify as ecdsaVerify, type KeyObject } from 'node:crypto';

/**
 * How a subgraph knows a request came from the gateway. The gateway signs, for every request it sends
 * to a subgraph, a short-lived ES256 token naming that subgraph (`aud`), the SHA-256 of the exact body it
 * sends (`bh`) and the end client's address (`ip`). Subgraphs hold only the public key: a subgraph, or
 * anyone on the network, can verify a proof but never make one. Bound to the body, a proof cannot be
 * reused for another operation or other representations; short-lived, it is worthless a minute later.
 *
 * Only with a valid proof does a subgraph answer the federation internals (`_entities`, `_service`), so
 * what the gateway passes in a representation (e.g. `@requires` fields) can be trusted, and only then
 * does it take the client address from the request rather than the socket.
 */
export const GATEWAY_PROOF_HEADER = 'x-gateway-proof';
export const GATEWAY_PROOF_TTL_SECONDS = 30;
const PROOF_TYPE = 'gateway-proof+jwt';
const PROOF_ISSUER = 'gateway';
const ALGORITHM = 'ES256';

/** SHA-256 of a request body, base64url: what a proof is bound to. */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

export interface GatewayProofClaims { subgraph: string; clientIp: string }

/**
 * Proofs are compact JWS (RFC 7515) signed and checked with node:crypto directly, synchronously: one is made and
 * one checked for every subgraph request, and jose's Web Crypto path cost more than the rest of the signing
 * together (a promise and a thread-pool hop each time). The format is a standard ES256 JWT all the same; the
 * unit tests check jose accepts what is signed here.
 */
const SIGNATURE = { dsaEncoding: 'ieee-p1363' } as const;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const PROOF_HEADER = b64({ alg: ALGORITHM, typ: PROOF_TYPE });
/** Clock difference tolerated between the gateway and a subgraph, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;

export class GatewayProofSigner {
  private constructor(private readonly key: KeyObject, private readonly now: () => number) {}

  /** From the gateway's ES256 (P-256) private key, PKCS#8 PEM. */
  static async fromPem(pkcs8Pem: string, now = () => Date.now()): Promise<GatewayProofSigner> {
    const key = createPrivateKey(pkcs8Pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('the gateway key must be an EC P-256 private key (ES256)');
    return new GatewayProofSigner(key, now);
  }

  sign(subgraph: string, body: string, clientIp: string): string {
    const iat = Math.floor(this.now() / 1000);
    const input = `${PROOF_HEADER}.${b64({ bh: bodyDigest(body), ip: clientIp, iss: PROOF_ISSUER, aud: subgraph, iat, exp: iat + GATEWAY_PROOF_TTL_SECONDS })}`;
    return `${input}.${ecdsaSign('sha256', Buffer.from(input), { key: this.key, ...SIGNATURE }).toString('base64url')}`;
  }
}

export class GatewayProofVerifier {
  private constructor(private readonly key: KeyObject, private readonly subgraph: string, private readonly now: () => number) {}

  /** From the gateway's public key (SPKI PEM; a private key PEM is accepted too and only its public half is used). */
  static async fromPem(pem: string, subgraph: string, now = () => Date.now()): Promise<GatewayProofVerifier> {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('the gateway key must be an EC P-256 key (ES256)');
    return new GatewayProofVerifier(key, subgraph, now);
  }

  /**
   * The vouched-for client address when `proof` is the gateway's, for this subgraph and this very body; else null.
   * Checked: the header (ES256, the proof's own type, nothing else), the signature, issuer, audience, body digest,
   * and that it was issued in the last 30 s (5 s of clock difference either way) and has not expired.
   */
  verify(proof: string, digest: string): GatewayProofClaims | null {
    try {
      const parts = proof.split('.');
      if (parts.length !== 3) return null;
      const [header, payload, signature] = parts;
      const { alg, typ, ...otherHeaders } = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
      if (alg !== ALGORITHM || typ !== PROOF_TYPE || Object.keys(otherHeaders).length) return null;
      if (!ecdsaVerify('sha256', Buffer.from(`${header}.${payload}`), { key: this.key, ...SIGNATURE }, Buffer.from(signature, 'base64url'))) return null;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const now = this.now() / 1000;
      const { iat, exp } = claims;
      if (typeof iat !== 'number' || typeof exp !== 'number') return null;
      if (iat > now + CLOCK_TOLERANCE_SECONDS || now - iat > GATEWAY_PROOF_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS || exp <= now - CLOCK_TOLERANCE_SECONDS) return null;
      if (claims.iss !== PROOF_ISSUER || claims.aud !== this.subgraph || claims.bh !== digest || typeof claims.ip !== 'string') return null;
      return { subgraph: this.subgraph, clientIp: claims.ip };
    } catch {
      return null;
    }
  }
}
