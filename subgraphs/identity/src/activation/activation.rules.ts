import { isIsoDate, type FieldProblem } from '../../../shared/src';
import { normaliseName } from '../accounts/registration-rules';

/** The identity document the staff member held in their hands (giấy tờ tùy thân). */
export enum IdentityDocumentType {
  /** Thẻ căn cước / CCCD gắn chip: its number is the personal identification number. */
  CHIP_ID_CARD = 'CHIP_ID_CARD',
  /** Hộ chiếu, for a foreigner. */
  PASSPORT = 'PASSPORT',
}

export interface CheckedDocument {
  documentType: IdentityDocumentType;
  documentNumber: string;
  issueDate: string;
  /** As printed on the document. */
  fullName: string;
  dateOfBirth: string;
  gender?: 'MALE' | 'FEMALE' | null;
  /** ISO 3166-1 alpha-2, for a passport. */
  nationality?: string | null;
}

export interface RecordToMatch {
  kind: 'CITIZEN' | 'FOREIGNER' | 'ORGANISATION';
  personalIdNumber: string | null;
  passportNumber: string | null;
  nationality: string | null;
  fullName: string;
  dateOfBirth: string | null;
  gender: 'MALE' | 'FEMALE' | null;
}

/** Names on a card and in the record are the same name when they differ only in spacing and letter case; diacritics count. */
function sameName(a: string, b: string): boolean {
  return normaliseName(a).toLocaleUpperCase('vi') === normaliseName(b).toLocaleUpperCase('vi');
}

/** Well-formedness of what the staff member typed, whatever the record says. */
export function checkDocumentInput(document: CheckedDocument, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isIsoDate(document.issueDate) || document.issueDate > today) problems.push({ field: 'issueDate', message: 'The issue date must be a real date, not in the future.' });
  else if (isIsoDate(document.dateOfBirth) && document.issueDate < document.dateOfBirth) problems.push({ field: 'issueDate', message: 'The document cannot have been issued before its holder was born.' });
  if (!document.documentNumber.trim() || document.documentNumber.length > 32) problems.push({ field: 'documentNumber', message: 'The document number is missing or too long.' });
  if (!isIsoDate(document.dateOfBirth)) problems.push({ field: 'dateOfBirth', message: 'Date of birth must be a real date, YYYY-MM-DD.' });
  if (document.fullName.length > 100 || normaliseName(document.fullName).length < 2) problems.push({ field: 'fullName', message: 'Full name as printed on the document, 2–100 characters.' });
  if (document.nationality != null && !/^[A-Z]{2}$/.test(document.nationality)) problems.push({ field: 'nationality', message: 'Nationality is an ISO 3166 two-letter code, e.g. "JP".' });
  return problems;
}

/**
 * Every field on which the document the staff member checked disagrees with the record, each named, so the
 * counter can tell the person exactly what does not match. An empty list means the document is the record's.
 * A citizen is checked against their chip ID card, a foreigner against their passport.
 */
export function documentMismatches(document: CheckedDocument, record: RecordToMatch): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const expected = record.kind === 'FOREIGNER' ? IdentityDocumentType.PASSPORT : IdentityDocumentType.CHIP_ID_CARD;
  if (document.documentType !== expected) {
    problems.push({ field: 'documentType', message: record.kind === 'FOREIGNER' ? 'A foreigner is verified with their passport.' : 'A citizen is verified with their chip ID card.' });
    return problems;
  }
  if (expected === IdentityDocumentType.CHIP_ID_CARD) {
    if (document.documentNumber.trim() !== record.personalIdNumber) problems.push({ field: 'documentNumber', message: 'The card number is not the personal identification number on record.' });
  } else {
    if (document.documentNumber.trim().toUpperCase() !== (record.passportNumber ?? '').toUpperCase()) problems.push({ field: 'documentNumber', message: 'The passport number is not the one on record.' });
    if ((document.nationality ?? '') !== (record.nationality ?? '')) problems.push({ field: 'nationality', message: 'The nationality is not the one on record.' });
  }
  if (!sameName(document.fullName, record.fullName)) problems.push({ field: 'fullName', message: 'The name on the document is not the name on record.' });
  if (document.dateOfBirth !== record.dateOfBirth) problems.push({ field: 'dateOfBirth', message: 'The date of birth on the document is not the one on record.' });
  if (document.gender != null && record.gender != null && document.gender !== record.gender) problems.push({ field: 'gender', message: 'The gender on the document is not the one on record.' });
  return problems;
}
