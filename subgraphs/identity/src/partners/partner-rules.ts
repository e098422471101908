import { randomBytes } from 'node:crypto';
import type { FieldProblem } from '../../../shared/src';
import type { IdentityAttribute } from '../accounts/identity-attribute';
import { inCatalogueOrder } from '../documents/document-choice';
import type { IntegratedDocumentType } from '../documents/integrated-document.stub';

export interface PartnerRegistration {
  name: string;
  purpose: string;
  allowedAttributes: IdentityAttribute[];
  /** None when not given: a partner receives documents only when registered for them. */
  allowedDocumentTypes?: IntegratedDocumentType[] | null;
  /** Its own limit of requests per minute at the gateway; none: the gateway's default for every client. */
  requestsPerMinute?: number | null;
}

/** A partner's own request limit at the gateway, per minute (the migration checks the same range). */
export const PARTNER_REQUESTS_PER_MINUTE = { min: 1, max: 100_000 };

/** Text as people read it: Unicode NFC, trimmed, inner spaces collapsed. */
export function tidyText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** The registration as it will be stored, and every problem with it at once. */
export function checkPartnerRegistration(input: PartnerRegistration): { value: PartnerRegistration & { allowedDocumentTypes: IntegratedDocumentType[]; requestsPerMinute: number | null }; problems: FieldProblem[] } {
  const value = {
    name: tidyText(input.name), purpose: tidyText(input.purpose), allowedAttributes: [...new Set(input.allowedAttributes)],
    allowedDocumentTypes: inCatalogueOrder(input.allowedDocumentTypes), requestsPerMinute: input.requestsPerMinute ?? null,
  };
  const problems: FieldProblem[] = [];
  if (value.name.length < 2 || value.name.length > 200) problems.push({ field: 'name', message: 'The name must be 2–200 characters.' });
  if (value.purpose.length < 3 || value.purpose.length > 500) problems.push({ field: 'purpose', message: 'The purpose must be 3–500 characters.' });
  if (!value.allowedAttributes.length) problems.push({ field: 'allowedAttributes', message: 'Name at least one attribute the partner may check.' });
  const { min, max } = PARTNER_REQUESTS_PER_MINUTE;
  if (value.requestsPerMinute !== null && !(Number.isInteger(value.requestsPerMinute) && value.requestsPerMinute >= min && value.requestsPerMinute <= max)) {
    problems.push({ field: 'requestsPerMinute', message: `The limit must be a whole number of requests per minute, ${min}–${max.toLocaleString('en')}.` });
  }
  return { value, problems };
}

/** Client ids are public, unguessability is the secret's job; they only need to be unique and plain. */
export function newClientId(): string {
  return `partner-${randomBytes(8).toString('hex')}`;
}

/** What client ids look like (the migration checks the same). */
export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
