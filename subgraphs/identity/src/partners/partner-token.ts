import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE, Role, TOKEN_ALGORITHM, type AccessClaims } from '../../../shared/src';
import type { SigningKey } from '../sessions/signing-key';

/** Partner tokens live 5 minutes: a deactivated partner or a rotated secret stops new tokens at once, old ones soon. */
export const PARTNER_TOKEN_TTL_SECONDS = 5 * 60;

/**
 * Signs a partner's access token with identity's signing key, exactly as account tokens are signed (ES256,
 * `typ: at+jwt`, kid, issuer, audience), so every service verifies it with the same TokenVerifier. `sub` is
 * the partner's id and `client_id` (RFC 9068) its client id. A machine client has no person's assurance
 * level: it carries level 1, the lowest, so no rule that wants a level-2 caller ever admits it by its level.
 * `requests_per_minute`, when its registration sets one, is its own limit at the gateway (gateway/src/limits/).
 */
export class PartnerTokenSigner {
  constructor(private readonly key: SigningKey, private readonly issuer: string, private readonly now = () => new Date()) {}

  async sign(partner: { id: string; clientId: string; requestsPerMinute?: number | null }): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = new Date((issuedAt + PARTNER_TOKEN_TTL_SECONDS) * 1000);
    const claims: AccessClaims = {
      role: Role.PARTNER_BANK, level: 1, client_id: partner.clientId,
      // The gateway limits the partner by what its registration says, with no lookup per request.
      ...(partner.requestsPerMinute ? { requests_per_minute: partner.requestsPerMinute } : {}),
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: this.key.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(partner.id)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key.privateKey);
    return { token, expiresAt };
  }
}
