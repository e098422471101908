/** Where a grant that a person gives and can take back stands (a consent to a partner, a delegation to a person). */
export type GrantStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED' | 'REPLACED';

/** Revoked and replaced are final; otherwise a grant is active until it expires. */
export function grantStatus(grant: { revokedAt: Date | null; replacedAt: Date | null; expiresAt: Date }, now: Date): GrantStatus {
  if (grant.revokedAt) return 'REVOKED';
  if (grant.replacedAt) return 'REPLACED';
  return grant.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'ACTIVE';
}
