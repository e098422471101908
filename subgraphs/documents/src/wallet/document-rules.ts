import { registerEnumType } from 'type-graphql';
import { isIsoDate, type FieldProblem } from '../../../shared/src';

/**
 * The kinds of document the wallet (ví giấy tờ) holds. Identity declares the same enum, with the same values
 * and description, for the stubs it hands over (QR verification, partner eKYC): change both together.
 */
export enum IntegratedDocumentType {
  CITIZEN_ID_CARD = 'CITIZEN_ID_CARD', // thẻ căn cước (CCCD gắn chip)
  DRIVING_LICENCE = 'DRIVING_LICENCE', // giấy phép lái xe (GPLX)
  HEALTH_INSURANCE_CARD = 'HEALTH_INSURANCE_CARD', // thẻ bảo hiểm y tế (BHYT)
  VEHICLE_REGISTRATION = 'VEHICLE_REGISTRATION', // giấy chứng nhận đăng ký xe
  VACCINATION_RECORD = 'VACCINATION_RECORD', // chứng nhận tiêm chủng
  TEST_RESULT = 'TEST_RESULT', // kết quả xét nghiệm
  PASSPORT = 'PASSPORT', // hộ chiếu
  TAX_CODE = 'TAX_CODE', // mã số thuế
  SOCIAL_INSURANCE_BOOK = 'SOCIAL_INSURANCE_BOOK', // sổ bảo hiểm xã hội
}
registerEnumType(IntegratedDocumentType, { name: 'IntegratedDocumentType', description: 'A kind of document the wallet holds (giấy tờ tích hợp).' });

/** VALID and REVOKED are facts; EXPIRED is read from the expiry date against today in Vietnam, never stored. */
export enum IntegratedDocumentStatus {
  VALID = 'VALID', // còn hiệu lực
  EXPIRED = 'EXPIRED', // hết hạn
  REVOKED = 'REVOKED', // bị thu hồi
}
registerEnumType(IntegratedDocumentStatus, { name: 'IntegratedDocumentStatus', description: 'VALID, EXPIRED (past its expiry date, Vietnam time) or REVOKED by its issuer.' });

export const DOCUMENT_TYPES: readonly IntegratedDocumentType[] = Object.values(IntegratedDocumentType);

/**
 * The one agency that issues each kind of document, hence the only one whose officials issue, revoke and
 * confirm it: C06 police (ID cards), CDB roads (driving licences), BHXH social insurance (health insurance
 * cards, social insurance books), C08 traffic police (vehicle registration), BYT health ministry
 * (vaccinations, tests), A08 immigration (passports), TCT tax (tax codes).
 */
export const ISSUER_OF: Readonly<Record<IntegratedDocumentType, string>> = {
  [IntegratedDocumentType.CITIZEN_ID_CARD]: 'C06',
  [IntegratedDocumentType.DRIVING_LICENCE]: 'CDB',
  [IntegratedDocumentType.HEALTH_INSURANCE_CARD]: 'BHXH',
  [IntegratedDocumentType.VEHICLE_REGISTRATION]: 'C08',
  [IntegratedDocumentType.VACCINATION_RECORD]: 'BYT',
  [IntegratedDocumentType.TEST_RESULT]: 'BYT',
  [IntegratedDocumentType.PASSPORT]: 'A08',
  [IntegratedDocumentType.TAX_CODE]: 'TCT',
  [IntegratedDocumentType.SOCIAL_INSURANCE_BOOK]: 'BHXH',
};

/** The kinds of document an agency issues (none for an agency that issues none). */
export function typesIssuedBy(agencyCode: string | null | undefined): IntegratedDocumentType[] {
  return DOCUMENT_TYPES.filter((type) => ISSUER_OF[type] === agencyCode);
}

/** Driving licence classes (hạng GPLX) of the Road Traffic Order and Safety Law 2024, art. 57, in its order. */
export const LICENCE_CLASSES = ['A1', 'A', 'B1', 'B', 'C1', 'C', 'D1', 'D2', 'D', 'BE', 'C1E', 'CE', 'D1E', 'D2E', 'DE'] as const;

/** Kinds of document that have no expiry: a tax code and a social insurance book last for life. */
export const NEVER_EXPIRES: ReadonlySet<IntegratedDocumentType> = new Set([IntegratedDocumentType.TAX_CODE, IntegratedDocumentType.SOCIAL_INSURANCE_BOOK]);

/** What each kind's number looks like once normalised, and how to say it. */
const NUMBER_FORMATS: Record<IntegratedDocumentType, { pattern: RegExp; says: string }> = {
  [IntegratedDocumentType.CITIZEN_ID_CARD]: { pattern: /^\d{12}$/, says: 'the 12-digit personal identification number' },
  [IntegratedDocumentType.DRIVING_LICENCE]: { pattern: /^\d{12}$/, says: '12 digits' },
  // The card code (2 letters of the beneficiary group, the benefit level, the province and the 10-digit
  // social insurance number), or since 2021 the 10-digit social insurance number alone.
  [IntegratedDocumentType.HEALTH_INSURANCE_CARD]: { pattern: /^(?:[A-Z]{2}\d{13}|\d{10})$/, says: 'a 15-character card code such as GD4010123456789, or the 10-digit social insurance number' },
  [IntegratedDocumentType.VEHICLE_REGISTRATION]: { pattern: /^[A-Z0-9][A-Z0-9.-]{4,19}$/, says: '5 to 20 letters, digits, dots or hyphens, such as 29A-123.45' },
  [IntegratedDocumentType.VACCINATION_RECORD]: { pattern: /^[A-Z0-9][A-Z0-9-]{5,29}$/, says: '6 to 30 letters, digits or hyphens' },
  [IntegratedDocumentType.TEST_RESULT]: { pattern: /^[A-Z0-9][A-Z0-9-]{5,29}$/, says: '6 to 30 letters, digits or hyphens' },
  [IntegratedDocumentType.PASSPORT]: { pattern: /^[A-Z]{1,2}\d{7}$/, says: 'one or two letters and 7 digits, such as C1234567' },
  // 10 digits, 13 for a branch (written with a hyphen), or since 2025 a person's 12-digit identification number.
  [IntegratedDocumentType.TAX_CODE]: { pattern: /^(?:\d{10}(?:-\d{3})?|\d{12})$/, says: '10 digits, 10 digits-3 digits for a branch, or the 12-digit personal identification number' },
  [IntegratedDocumentType.SOCIAL_INSURANCE_BOOK]: { pattern: /^\d{10}$/, says: 'the 10-digit social insurance number' },
};

/** A number as it is stored and compared: trimmed and upper-case, so "c1234567 " and "C1234567" are one document. */
export function normaliseNumber(number: string): string {
  return number.trim().toUpperCase();
}

export function numberProblem(type: IntegratedDocumentType, normalised: string): string | null {
  const format = NUMBER_FORMATS[type];
  return format.pattern.test(normalised) ? null : `"${normalised}" is not a ${type} number: ${format.says}.`;
}

/** The earliest issue date the wallet takes; anything older is a typing mistake. */
export const EARLIEST_ISSUE_DATE = '1950-01-01';
export const MAX_REASON_LENGTH = 500;

/** What the issuer states about a document: the same for the mutation, an approved request and the import. */
export interface IssuedFacts {
  type: IntegratedDocumentType;
  number: string;
  issuedOn: string;
  expiresOn?: string | null;
  licenceClasses?: readonly string[] | null;
}

export interface CheckedFacts {
  type: IntegratedDocumentType;
  number: string;
  issuedOn: string;
  expiresOn: string | null;
  /** Upper-case, without duplicates, in the law's order: two statements of the same classes compare equal. */
  licenceClasses: string[];
}

/**
 * Checks and normalises what an issuer states; every problem at once, each naming its field. `today` is the
 * date in Vietnam: a document cannot be issued in the future, but may already have expired (an import of the
 * issuer's records brings expired passports too).
 */
export function checkIssuedFacts(facts: IssuedFacts, today: string): { value: CheckedFacts; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const knownType = DOCUMENT_TYPES.includes(facts.type);
  if (!knownType) problems.push({ field: 'type', message: `"${facts.type}" is not one of ${DOCUMENT_TYPES.join(', ')}.` });
  const number = normaliseNumber(facts.number ?? '');
  const badNumber = knownType ? numberProblem(facts.type, number) : null;
  if (badNumber) problems.push({ field: 'number', message: badNumber });

  const issuedOn = facts.issuedOn;
  if (!isIsoDate(issuedOn ?? '')) problems.push({ field: 'issuedOn', message: `${JSON.stringify(issuedOn ?? null)} is not a date YYYY-MM-DD.` });
  else if (issuedOn > today) problems.push({ field: 'issuedOn', message: `The issue date ${issuedOn} is in the future.` });
  else if (issuedOn < EARLIEST_ISSUE_DATE) problems.push({ field: 'issuedOn', message: `The issue date ${issuedOn} is before ${EARLIEST_ISSUE_DATE}.` });

  const expiresOn = facts.expiresOn ?? null;
  if (expiresOn !== null) {
    if (!isIsoDate(expiresOn)) problems.push({ field: 'expiresOn', message: `${JSON.stringify(expiresOn)} is not a date YYYY-MM-DD.` });
    else if (knownType && NEVER_EXPIRES.has(facts.type)) problems.push({ field: 'expiresOn', message: `A ${facts.type} does not expire: leave expiresOn empty.` });
    else if (isIsoDate(issuedOn ?? '') && expiresOn <= issuedOn) problems.push({ field: 'expiresOn', message: `The expiry date ${expiresOn} is not after the issue date ${issuedOn}.` });
  }

  const given = (facts.licenceClasses ?? []).map((c) => c.trim().toUpperCase());
  const isLicence = facts.type === IntegratedDocumentType.DRIVING_LICENCE;
  if (!isLicence && given.length) problems.push({ field: 'licenceClasses', message: 'Only a DRIVING_LICENCE has licence classes.' });
  if (isLicence) {
    const unknown = given.filter((c) => !(LICENCE_CLASSES as readonly string[]).includes(c));
    if (unknown.length) problems.push({ field: 'licenceClasses', message: `${unknown.map((c) => JSON.stringify(c)).join(', ')} ${unknown.length > 1 ? 'are not licence classes' : 'is not a licence class'}: ${LICENCE_CLASSES.join(', ')}.` });
    else if (!given.length) problems.push({ field: 'licenceClasses', message: `A driving licence has at least one class: ${LICENCE_CLASSES.join(', ')}.` });
  }
  const licenceClasses = LICENCE_CLASSES.filter((c) => given.includes(c));
  return { value: { type: facts.type, number, issuedOn, expiresOn, licenceClasses }, problems };
}

/** A revocation or refusal reason, trimmed; a problem when empty or too long. */
export function checkReason(reason: string | null | undefined, field = 'reason'): { value: string; problems: FieldProblem[] } {
  const value = (reason ?? '').trim();
  if (value.length < 3) return { value, problems: [{ field, message: 'Give a reason (at least 3 characters).' }] };
  if (value.length > MAX_REASON_LENGTH) return { value, problems: [{ field, message: `The reason is longer than ${MAX_REASON_LENGTH} characters.` }] };
  return { value, problems: [] };
}

/**
 * A document's status on `today` (Vietnam): revoked stays revoked; otherwise it is valid up to and including
 * its expiry date, expired from the next day. A document without an expiry date never expires.
 */
export function documentStatus(document: { revokedAt: Date | null; expiresOn: string | null }, today: string): IntegratedDocumentStatus {
  if (document.revokedAt) return IntegratedDocumentStatus.REVOKED;
  if (document.expiresOn !== null && document.expiresOn < today) return IntegratedDocumentStatus.EXPIRED;
  return IntegratedDocumentStatus.VALID;
}

/**
 * What a statement by the issuer does to the document already in the wallet under the same type and number
 * (the writer, document-writer.ts, applies it in one statement per batch):
 * - another holder: refused (a number belongs to one person; the issuer must sort it out first);
 * - an earlier issue date than the stored one: refused as stale (the wallet holds a later issue);
 * - the same facts: nothing is written (a retry, a re-import);
 * - a later issue date: a new issue of the same number (a renewed ID card keeps its number), which also ends
 *   a revocation of the earlier issue;
 * - the same issue date with other facts: a correction; a revocation stands.
 * This tells, for a statement the writer left alone, which of the first three it was.
 */
export type LeftAlone = 'OTHER_HOLDER' | 'STALE' | 'UNCHANGED';

export function whyLeftAlone(stored: { holderAccountId: string; issuedOn: string }, stated: { holderAccountId: string; issuedOn: string }): LeftAlone {
  if (stored.holderAccountId !== stated.holderAccountId) return 'OTHER_HOLDER';
  if (stated.issuedOn < stored.issuedOn) return 'STALE';
  return 'UNCHANGED';
}
