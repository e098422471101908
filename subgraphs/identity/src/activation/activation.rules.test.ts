import { describe, expect, it } from 'vitest';
import { checkDocumentInput, documentMismatches, IdentityDocumentType, type CheckedDocument, type RecordToMatch } from './activation.rules';

const citizen: RecordToMatch = { kind: 'CITIZEN', personalIdNumber: '001190000123', passportNumber: null, nationality: null, fullName: 'Nguyễn Thị Lan', dateOfBirth: '1990-04-12', gender: 'FEMALE' };
const card: CheckedDocument = { documentType: IdentityDocumentType.CHIP_ID_CARD, documentNumber: '001190000123', issueDate: '2021-06-01', fullName: 'NGUYỄN THỊ LAN', dateOfBirth: '1990-04-12', gender: 'FEMALE' };
const foreigner: RecordToMatch = { kind: 'FOREIGNER', personalIdNumber: null, passportNumber: 'TK1234567', nationality: 'JP', fullName: 'Sato Yuki', dateOfBirth: '1988-02-03', gender: 'MALE' };
const passport: CheckedDocument = { documentType: IdentityDocumentType.PASSPORT, documentNumber: 'tk1234567', issueDate: '2020-01-10', fullName: 'SATO  YUKI', dateOfBirth: '1988-02-03', nationality: 'JP' };
const fields = (document: CheckedDocument, record: RecordToMatch) => documentMismatches(document, record).map((p) => p.field);

describe('matching the document checked in person against the record', () => {
  it('accepts the citizen\'s own chip card, whatever the case and spacing of the name', () => expect(fields(card, citizen)).toEqual([]));
  it('accepts the foreigner\'s own passport', () => expect(fields(passport, foreigner)).toEqual([]));

  it.each<[string, Partial<CheckedDocument>, string[]]>([
    ['another card number', { documentNumber: '001190000124' }, ['documentNumber']],
    ['a name that differs in a diacritic', { fullName: 'Nguyễn Thị Lân' }, ['fullName']],
    ['another date of birth', { dateOfBirth: '1990-04-13' }, ['dateOfBirth']],
    ['another gender', { gender: 'MALE' }, ['gender']],
    ['everything wrong at once', { documentNumber: '001190000999', fullName: 'Trần Văn B', dateOfBirth: '1991-01-01', gender: 'MALE' }, ['documentNumber', 'fullName', 'dateOfBirth', 'gender']],
    ['a passport for a citizen', { documentType: IdentityDocumentType.PASSPORT }, ['documentType']],
  ])('names each field that disagrees: %s', (_case, change, expected) => {
    expect(fields({ ...card, ...change }, citizen)).toEqual(expected);
  });

  it('checks a passport\'s nationality, and refuses a chip card for a foreigner', () => {
    expect(fields({ ...passport, nationality: 'KR' }, foreigner)).toEqual(['nationality']);
    expect(fields({ ...passport, documentType: IdentityDocumentType.CHIP_ID_CARD }, foreigner)).toEqual(['documentType']);
  });

  it('refuses impossible input before looking at the record', () => {
    expect(checkDocumentInput({ ...card, issueDate: '2030-01-01' }, '2026-11-25').map((p) => p.field)).toEqual(['issueDate']);
    expect(checkDocumentInput({ ...card, issueDate: '1980-01-01' }, '2026-11-25').map((p) => p.field)).toEqual(['issueDate']);
    expect(checkDocumentInput({ ...card, nationality: 'japan' }, '2026-11-25').map((p) => p.field)).toEqual(['nationality']);
    expect(checkDocumentInput(card, '2026-11-25')).toEqual([]);
  });
});
