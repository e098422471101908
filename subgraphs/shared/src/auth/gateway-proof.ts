import { createHash, createPublicKey } from 'node:crypto';
import { decodeProtectedHeader, importPKCS8, importSPKI, jwtVerify, SignJWT, type CryptoKey } from 'jose';

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

export class GatewayProofSigner {
  private constructor(private readonly key: CryptoKey, private readonly now: () => number) {}

  /** From the gateway's ES256 (P-256) private key, PKCS#8 PEM. */
  static async fromPem(pkcs8Pem: string, now = () => Date.now()): Promise<GatewayProofSigner> {
    return new GatewayProofSigner(await importPKCS8(pkcs8Pem, ALGORITHM), now);
  }

  sign(subgraph: string, body: string, clientIp: string): Promise<string> {
    const issuedAt = Math.floor(this.now() / 1000);
    return new SignJWT({ bh: bodyDigest(body), ip: clientIp })
      .setProtectedHeader({ alg: ALGORITHM, typ: PROOF_TYPE })
      .setIssuer(PROOF_ISSUER)
      .setAudience(subgraph)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + GATEWAY_PROOF_TTL_SECONDS)
      .sign(this.key);
  }
}

export class GatewayProofVerifier {
  private constructor(private readonly key: CryptoKey, private readonly subgraph: string) {}

  /** From the gateway's public key (SPKI PEM; a private key PEM is accepted too and only its public half is used). */
  static async fromPem(pem: string, subgraph: string): Promise<GatewayProofVerifier> {
    const spki = createPublicKey(pem).export({ format: 'pem', type: 'spki' }).toString();
    return new GatewayProofVerifier(await importSPKI(spki, ALGORITHM), subgraph);
  }

  /** The vouched-for client address when `proof` is the gateway's, for this subgraph and this very body; else null. */
  async verify(proof: string, digest: string): Promise<GatewayProofClaims | null> {
    try {
      if (decodeProtectedHeader(proof).typ !== PROOF_TYPE) return null;
      const { payload } = await jwtVerify<{ bh?: unknown; ip?: unknown }>(proof, this.key, {
        algorithms: [ALGORITHM],
        typ: PROOF_TYPE,
        issuer: PROOF_ISSUER,
        audience: this.subgraph,
        requiredClaims: ['iat', 'exp', 'bh', 'ip'],
        maxTokenAge: GATEWAY_PROOF_TTL_SECONDS,
        clockTolerance: 5,
      });
      if (payload.bh !== digest || typeof payload.ip !== 'string') return null;
      return { subgraph: this.subgraph, clientIp: payload.ip };
    } catch {
      return null;
    }
  }
}
