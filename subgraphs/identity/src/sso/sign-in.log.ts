import type { EntityManager } from 'typeorm';
import { AccessAction, AccessorKind, AccessOutcome } from '../access-log/access-log.entity';
import type { AccessLogRecorder } from '../access-log/access-log.recorder';
import { IdentityAttribute } from '../accounts/identity-attribute';
import type { OidcPayload } from './oidc-store';
import { RelyingParty } from './relying-party.entity';
import { SSO_SCOPES } from './relying-party.rules';

/**
 * What each scope releases of the person (the claims of relying-party.rules.ts SCOPE_CLAIMS), as the access log names
 * it. `openid` releases the account id only, `offline_access` and `graph` no attribute of the person.
 */
const SCOPE_ATTRIBUTES: Partial<Record<string, IdentityAttribute[]>> = {
  profile: [IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH, IdentityAttribute.GENDER],
  phone: [IdentityAttribute.PHONE],
  email: [IdentityAttribute.EMAIL],
};

/** A space-separated scope string as a list, in the catalogue's order (unknown ones last, as given), without repeats. */
export function scopeList(scope: unknown): string[] {
  const given = [...new Set(typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [])];
  const known = SSO_SCOPES.filter((s) => given.includes(s)) as string[];
  return [...known, ...given.filter((s) => !known.includes(s))];
}

export function attributesOfScopes(scopes: readonly string[]): IdentityAttribute[] {
  return [...new Set(scopes.flatMap((scope) => SCOPE_ATTRIBUTES[scope] ?? []))];
}

/** Why a sign-in was refused, in the holder's terms (the access log's `reason`). */
export const LEVEL_2_REQUIRED = 'LEVEL_2_REQUIRED';

/**
 * Sign-ins to relying parties in the person's access log (RELYING_SYSTEM, SIGN_IN), written through the access log's
 * own recorder in the caller's transaction.
 */
export class SignInLog {
  constructor(private readonly recorder: AccessLogRecorder) {}

  /**
   * An authorization code was issued: the relying party is about to receive the person's claims. Called by the store
   * in the transaction that saves the code (oidc-store.ts), so a code exists exactly when its entry does: no code
   * path of the provider can issue one unrecorded, and a failed write fails the sign-in rather than hiding it.
   * Silent re-authorisations (a browser already signed in, the system already consented to) are sign-ins too: the
   * system receives the claims again, so each gets its entry. Refreshing tokens issues no code and is not a sign-in.
   */
  async codeIssued(manager: EntityManager, code: OidcPayload): Promise<void> {
    const accountId = code.accountId;
    const clientId = code.clientId;
    if (typeof accountId !== 'string' || typeof clientId !== 'string') throw new Error('an authorization code without its account or client');
    const scopes = scopeList(code.scope);
    await this.recorder.record(manager, {
      ...(await this.accessor(manager, clientId)), accountId, action: AccessAction.SIGN_IN, scopes, attributes: attributesOfScopes(scopes),
    });
  }

  /** A sign-in the provider refused after the person proved who they are: their account's level is below what the system requires. */
  async levelRefused(manager: EntityManager, refusal: { accountId: string; clientId: string; requestedScope: unknown }): Promise<void> {
    await this.recorder.record(manager, {
      ...(await this.accessor(manager, refusal.clientId)), accountId: refusal.accountId, action: AccessAction.SIGN_IN,
      scopes: scopeList(refusal.requestedScope), outcome: AccessOutcome.REFUSED, reason: LEVEL_2_REQUIRED,
    });
  }

  /** The relying party as the holder reads it: its name as it is at the sign-in (kept as it was then). */
  private async accessor(manager: EntityManager, clientId: string) {
    const party = await manager.getRepository(RelyingParty).findOne({ where: { clientId }, select: { name: true } });
    return { accessorKind: AccessorKind.RELYING_SYSTEM, accessorId: clientId, accessorName: party?.name ?? clientId };
  }
}
