import { grantStatus } from '../grants/grant-status';
import { foldForSearch, isUuid, type FieldProblem } from '../../../shared/src';
import type { IdentityAttribute } from '../accounts/identity-attribute';
import { checkDocumentTypes } from '../documents/document-choice';
import type { IntegratedDocumentType } from '../documents/integrated-document.stub';
import { tidyText } from '../partners/partner-rules';
import { ConsentStatus } from './consent.entity';

/** A consent lasts at most a year; the holder grants a new one after that (as Singpass Myinfo asks again). */
export const MAX_CONSENT_DAYS = 365;
/** An expiry closer than this is no consent at all. */
export const MIN_CONSENT_MINUTES = 5;

export interface ConsentGrant {
  partnerId: string;
  attributes: IdentityAttribute[];
  /** Kinds of integrated documents the partner receives; none when not given. */
  documentTypes?: IntegratedDocumentType[] | null;
  purpose: string;
  expiresAt: Date;
}

/** What a grant is checked against: the partner's registration. */
export interface ConsentPartner { allowedAttributes: readonly IdentityAttribute[]; allowedDocumentTypes: readonly IntegratedDocumentType[] }

/** The purpose as checks are compared on it: case, spacing and Vietnamese diacritics folded. */
export function purposeKey(purpose: string): string {
  return foldForSearch(tidyText(purpose));
}

/**
 * The grant as it will be stored, and every problem with it at once. `partner` is the active partner the grant
 * names, or null when there is none.
 */
export function checkConsentGrant(
  input: ConsentGrant, partner: ConsentPartner | null, now: Date,
): { value: ConsentGrant & { documentTypes: IntegratedDocumentType[] }; problems: FieldProblem[] } {
  const documents = checkDocumentTypes(input.documentTypes, partner?.allowedDocumentTypes ?? null);
  const value = { ...input, purpose: tidyText(input.purpose), attributes: [...new Set(input.attributes)], documentTypes: documents.value };
  const problems: FieldProblem[] = [];
  if (!partner || !isUuid(input.partnerId)) problems.push({ field: 'partnerId', message: 'No active partner has this id.' });
  if (!value.attributes.length) problems.push({ field: 'attributes', message: 'Name at least one attribute the partner may check.' });
  else if (partner) {
    const outside = value.attributes.filter((a) => !partner.allowedAttributes.includes(a));
    if (outside.length) problems.push({ field: 'attributes', message: `This partner may not check ${outside.join(', ')}; it may check ${partner.allowedAttributes.join(', ')}.` });
  }
  problems.push(...documents.problems);
  if (value.purpose.length < 3 || value.purpose.length > 500) problems.push({ field: 'purpose', message: 'The purpose must be 3–500 characters.' });
  const expires = value.expiresAt instanceof Date ? value.expiresAt.getTime() : Number.NaN;
  if (Number.isNaN(expires) || expires < now.getTime() + MIN_CONSENT_MINUTES * 60_000) {
    problems.push({ field: 'expiresAt', message: `The consent must last at least ${MIN_CONSENT_MINUTES} minutes from now.` });
  } else if (expires > now.getTime() + MAX_CONSENT_DAYS * 86_400_000) {
    problems.push({ field: 'expiresAt', message: `A consent lasts at most ${MAX_CONSENT_DAYS} days.` });
  }
  return { value, problems };
}

export function consentStatus(consent: { revokedAt: Date | null; replacedAt: Date | null; expiresAt: Date }, now: Date): ConsentStatus {
  return ConsentStatus[grantStatus(consent, now)];
}
