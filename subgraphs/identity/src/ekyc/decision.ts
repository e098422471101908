import { DomainError } from '../../../shared/src';
import { AssuranceLevel } from '../accounts/account.entity';
import type { IdentityAttribute } from '../accounts/identity-attribute';
import { inCatalogueOrder } from '../documents/document-choice';
import type { IntegratedDocumentType } from '../documents/integrated-document.stub';

/**
 * Why a check was refused, in the holder's terms: what their access log says. The partner never reads these;
 * it gets `identityCheckRefused()` whatever the reason.
 */
export enum RefusalReason {
  /** No account has the number: nothing is logged, there is no one to log it for. */
  NO_ACCOUNT = 'NO_ACCOUNT',
  /** The partner is deactivated (or the token does not fit it). */
  PARTNER_INACTIVE = 'PARTNER_INACTIVE',
  NO_CONSENT = 'NO_CONSENT',
  /** The holder consented to this partner, but for another purpose. */
  PURPOSE_NOT_CONSENTED = 'PURPOSE_NOT_CONSENTED',
  CONSENT_REVOKED = 'CONSENT_REVOKED',
  CONSENT_EXPIRED = 'CONSENT_EXPIRED',
  /** Only a level-2 account (the person seen with their chip ID card) is released to a third party. */
  ACCOUNT_NOT_LEVEL_2 = 'ACCOUNT_NOT_LEVEL_2',
}

/** What the one lookup of a check returns (see verification.service.ts); every part may be missing. */
export interface CheckRow {
  partner_id: string | null;
  partner_name: string | null;
  partner_active: boolean | null;
  client_id: string | null;
  allowed_attributes: IdentityAttribute[] | null;
  allowed_document_types: IntegratedDocumentType[] | null;
  account_id: string | null;
  level: AssuranceLevel | null;
  status: string | null;
  full_name: string | null;
  date_of_birth: string | null;
  gender: string | null;
  phone: string | null;
  email: string | null;
  consent_id: string | null;
  consent_attributes: IdentityAttribute[] | null;
  consent_document_types: IntegratedDocumentType[] | null;
  consent_purpose_key: string | null;
  consent_expires_at: Date | null;
  consent_revoked_at: Date | null;
  consent_replaced_at: Date | null;
}

export type Decision =
  | { allowed: true; scope: ReadonlySet<IdentityAttribute>; documentTypes: IntegratedDocumentType[]; consentExpiresAt: Date }
  | { allowed: false; reason: RefusalReason };

/**
 * Whether a partner may check this person now, within which attributes, and which kinds of documents it receives:
 * in each case those the consent names that the partner is (still) allowed. `tokenClientId` is the token's client_id claim, which must be the partner's.
 */
export function decide(row: CheckRow, purposeKey: string, tokenClientId: string | undefined, now: Date): Decision {
  if (!row.account_id) return { allowed: false, reason: RefusalReason.NO_ACCOUNT };
  if (!row.partner_id || !row.partner_active || (tokenClientId !== undefined && tokenClientId !== row.client_id)) {
    return { allowed: false, reason: RefusalReason.PARTNER_INACTIVE };
  }
  if (!row.consent_id) return { allowed: false, reason: RefusalReason.NO_CONSENT };
  if (row.consent_purpose_key !== purposeKey) return { allowed: false, reason: RefusalReason.PURPOSE_NOT_CONSENTED };
  if (row.consent_revoked_at || row.consent_replaced_at) return { allowed: false, reason: RefusalReason.CONSENT_REVOKED };
  if (!row.consent_expires_at || row.consent_expires_at.getTime() <= now.getTime()) return { allowed: false, reason: RefusalReason.CONSENT_EXPIRED };
  if (row.level !== AssuranceLevel.LEVEL_2) return { allowed: false, reason: RefusalReason.ACCOUNT_NOT_LEVEL_2 };
  const allowed = new Set(row.allowed_attributes ?? []);
  const allowedDocuments = new Set(row.allowed_document_types ?? []);
  return {
    allowed: true,
    scope: new Set((row.consent_attributes ?? []).filter((a) => allowed.has(a))),
    documentTypes: inCatalogueOrder((row.consent_document_types ?? []).filter((t) => allowedDocuments.has(t))),
    consentExpiresAt: row.consent_expires_at,
  };
}

export const REFUSAL_MESSAGE = 'This identity cannot be checked: there is no level-2 account with a valid consent for this partner and purpose.';

/**
 * The one refusal every refused check gets — no account, no consent, another purpose, revoked, expired, level 1,
 * inactive partner — with the same code, message and extensions, so a partner learns nothing from it.
 */
export function identityCheckRefused(): DomainError {
  return new DomainError('FORBIDDEN', REFUSAL_MESSAGE, { reason: 'IDENTITY_CHECK_REFUSED' });
}
