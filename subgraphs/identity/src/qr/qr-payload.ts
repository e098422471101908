import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, type JWTVerifyGetKey } from 'jose';
import { isUuid, TOKEN_ALGORITHM } from '../../../shared/src';
import type { SigningKey } from '../sessions/signing-key';

/**
 * The `typ` of an identity QR payload. Access tokens are `at+jwt` and the token verifier insists on it, and
 * this reader insists on its own: a QR payload never passes as an access token, nor an access token as a
 * QR payload, although identity's one key signs both.
 */
export const QR_PAYLOAD_TYPE = 'idqr+jwt';

/** Anything longer is not one of ours (a genuine payload is about 250 characters); refused before any work. */
const MAX_PAYLOAD_LENGTH = 1000;

/**
 * What the QR code carries: a compact ES256 JWS `{ jti }` naming the code's row, signed with identity's token
 * key (header `alg`, `kid`, `typ`). Nothing personal is in it (anyone can photograph a QR code), and its
 * length does not depend on what is shared. Expiry and single use are decided by the row, on the server,
 * never by the scanner's clock. Retired keys still verify while they are published, so a key rotation
 * does not break codes made a moment before it.
 */
export class QrPayloadCodec {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly key: SigningKey) {
    this.keys = createLocalJWKSet(key.jwks);
  }

  sign(codeId: string): Promise<string> {
    return new CompactSign(new TextEncoder().encode(JSON.stringify({ jti: codeId })))
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: this.key.kid, typ: QR_PAYLOAD_TYPE })
      .sign(this.key.privateKey);
  }

  /** The code id a genuine payload names; null for anything identity did not sign as a QR payload (tampered, forged, another kind of token, garbage). */
  async read(payload: string): Promise<string | null> {
    const jws = payload.trim();
    if (!jws || jws.length > MAX_PAYLOAD_LENGTH) return null;
    try {
      if (decodeProtectedHeader(jws).typ !== QR_PAYLOAD_TYPE) return null;
      const { payload: body, protectedHeader } = await compactVerify(jws, this.keys, { algorithms: [TOKEN_ALGORITHM] });
      if (protectedHeader.typ !== QR_PAYLOAD_TYPE) return null;
      const claims: unknown = JSON.parse(new TextDecoder().decode(body));
      if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return null;
      const { jti } = claims as { jti?: unknown };
      return typeof jti === 'string' && isUuid(jti) ? jti.toLowerCase() : null;
    } catch {
      return null;
    }
  }
}
