import { describe, expect, it } from 'vitest';
import {
  checkIssuedFacts, checkReason, documentStatus, DOCUMENT_TYPES, IntegratedDocumentStatus as S, IntegratedDocumentType as T, ISSUER_OF, LICENCE_CLASSES,
  normaliseNumber, numberProblem, typesIssuedBy, whyLeftAlone, type IssuedFacts,
} from './document-rules';

const TODAY = '2026-11-25';
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);
const facts = (change: Partial<IssuedFacts> = {}): IssuedFacts => ({ type: T.CITIZEN_ID_CARD, number: '001190000123', issuedOn: '2021-06-01', expiresOn: '2030-04-12', ...change });

describe('who issues what', () => {
  it('names one issuing agency for every kind of document', () => {
    expect(Object.keys(ISSUER_OF).sort()).toEqual([...DOCUMENT_TYPES].sort());
    expect(ISSUER_OF).toMatchObject({ CITIZEN_ID_CARD: 'C06', DRIVING_LICENCE: 'CDB', VEHICLE_REGISTRATION: 'C08', PASSPORT: 'A08', TAX_CODE: 'TCT' });
  });

  it('gives each agency the kinds it issues, and none to an agency that issues none', () => {
    expect(typesIssuedBy('BHXH')).toEqual([T.HEALTH_INSURANCE_CARD, T.SOCIAL_INSURANCE_BOOK]);
    expect(typesIssuedBy('BYT')).toEqual([T.VACCINATION_RECORD, T.TEST_RESULT]);
    expect(typesIssuedBy('EVN')).toEqual([]);
    expect(typesIssuedBy(undefined)).toEqual([]);
  });
});

describe('document numbers', () => {
  it('are trimmed and upper-cased, so one document is not stored twice', () => {
    expect(normaliseNumber('  c1234567 ')).toBe('C1234567');
  });

  it.each<[T, string]>([
    [T.CITIZEN_ID_CARD, '001190000123'],
    [T.DRIVING_LICENCE, '010190001234'],
    [T.HEALTH_INSURANCE_CARD, 'GD4010190000123'],
    [T.HEALTH_INSURANCE_CARD, '0190000123'],
    [T.VEHICLE_REGISTRATION, '29A-123.45'],
    [T.VACCINATION_RECORD, 'VX-2021-0012345'],
    [T.TEST_RESULT, 'XN-2023-0456789'],
    [T.PASSPORT, 'C1234567'],
    [T.PASSPORT, 'PA1234567'],
    [T.TAX_CODE, '0101234567'],
    [T.TAX_CODE, '0101234567-001'],
    [T.TAX_CODE, '001190000123'],
    [T.SOCIAL_INSURANCE_BOOK, '0190000123'],
  ])('accepts a %s numbered %s', (type, number) => expect(numberProblem(type, number)).toBeNull());

  it.each<[T, string]>([
    [T.CITIZEN_ID_CARD, '00119000012'],
    [T.CITIZEN_ID_CARD, '00119000012A'],
    [T.DRIVING_LICENCE, 'AB0190001234'],
    [T.HEALTH_INSURANCE_CARD, 'GD40101900001'],
    [T.VEHICLE_REGISTRATION, '29A'],
    [T.PASSPORT, '1234567C'],
    [T.TAX_CODE, '01012345'],
    [T.SOCIAL_INSURANCE_BOOK, '019000012'],
    [T.VACCINATION_RECORD, ''],
  ])('refuses a %s numbered "%s", saying what it should look like', (type, number) => {
    expect(numberProblem(type, number)).toMatch(new RegExp(`is not a ${type} number: .+`));
  });
});

describe('what an issuer states', () => {
  it('is taken as stated when right, the number normalised and the classes in the law\'s order, once each', () => {
    expect(checkIssuedFacts(facts({ number: ' 001190000123 ' }), TODAY)).toEqual({
      value: { type: T.CITIZEN_ID_CARD, number: '001190000123', issuedOn: '2021-06-01', expiresOn: '2030-04-12', licenceClasses: [] }, problems: [],
    });
    const licence = checkIssuedFacts(facts({ type: T.DRIVING_LICENCE, number: '010190001234', licenceClasses: ['b', ' A1', 'B', 'CE'] }), TODAY);
    expect(licence).toMatchObject({ value: { licenceClasses: ['A1', 'B', 'CE'] }, problems: [] });
  });

  it('may have expired already (the issuer\'s records bring expired passports too), and may expire today', () => {
    expect(checkIssuedFacts(facts({ type: T.PASSPORT, number: 'C1234567', issuedOn: '2014-05-10', expiresOn: '2024-05-10' }), TODAY).problems).toEqual([]);
    expect(checkIssuedFacts(facts({ issuedOn: TODAY, expiresOn: null }), TODAY).problems).toEqual([]);
  });

  it.each<[string, Partial<IssuedFacts>, string[]]>([
    ['an issue date in the future', { issuedOn: '2026-11-26' }, ['issuedOn']],
    ['an issue date before 1950', { issuedOn: '1949-12-31' }, ['issuedOn']],
    ['an issue date that is no date', { issuedOn: '2021-02-30' }, ['issuedOn']],
    ['an expiry on the issue date', { expiresOn: '2021-06-01' }, ['expiresOn']],
    ['an expiry before the issue date', { expiresOn: '2020-01-01' }, ['expiresOn']],
    ['an expiry that is no date', { expiresOn: '30/04/2030' }, ['expiresOn']],
    ['an expiry for a tax code, which never expires', { type: T.TAX_CODE, number: '0101234567' }, ['expiresOn']],
    ['an expiry for a social insurance book', { type: T.SOCIAL_INSURANCE_BOOK, number: '0190000123' }, ['expiresOn']],
    ['licence classes on an ID card', { licenceClasses: ['B'] }, ['licenceClasses']],
    ['a driving licence without classes', { type: T.DRIVING_LICENCE, number: '010190001234' }, ['licenceClasses']],
    ['a class the law does not have', { type: T.DRIVING_LICENCE, number: '010190001234', licenceClasses: ['B', 'B2', 'F'] }, ['licenceClasses']],
    ['a number of the wrong format', { number: '12345' }, ['number']],
    ['a type that does not exist', { type: 'BIRTH_CERTIFICATE' as T }, ['type']],
    ['everything wrong at once', { number: 'x', issuedOn: '2030-01-01', expiresOn: '2029-01-01', licenceClasses: ['A'] }, ['number', 'issuedOn', 'expiresOn', 'licenceClasses']],
  ])('refuses %s, naming the field', (_case, change, expected) => {
    expect(fields(checkIssuedFacts(facts(change), TODAY).problems)).toEqual(expected);
  });

  it('names the classes it does not know, and lists the law\'s', () => {
    const [problem] = checkIssuedFacts(facts({ type: T.DRIVING_LICENCE, number: '010190001234', licenceClasses: ['B2', 'F'] }), TODAY).problems;
    expect(problem.message).toBe(`"B2", "F" are not licence classes: ${LICENCE_CLASSES.join(', ')}.`);
  });

  it('wants a reason of 3 to 500 characters to revoke or refuse', () => {
    expect(checkReason('  Thẻ bị mất  ')).toEqual({ value: 'Thẻ bị mất', problems: [] });
    expect(fields(checkReason('  ').problems)).toEqual(['reason']);
    expect(fields(checkReason(null, 'revocationReason').problems)).toEqual(['revocationReason']);
    expect(fields(checkReason('x'.repeat(501)).problems)).toEqual(['reason']);
  });
});

describe('a document\'s status, read on the day', () => {
  it.each<[string, { revokedAt: Date | null; expiresOn: string | null }, S]>([
    ['without an expiry date', { revokedAt: null, expiresOn: null }, S.VALID],
    ['expiring today', { revokedAt: null, expiresOn: TODAY }, S.VALID],
    ['expired yesterday', { revokedAt: null, expiresOn: '2026-11-24' }, S.EXPIRED],
    ['revoked, even if also expired', { revokedAt: new Date('2025-01-01'), expiresOn: '2020-01-01' }, S.REVOKED],
  ])('is %s', (_case, document, status) => expect(documentStatus(document, TODAY)).toBe(status));
});

describe('a statement the wallet leaves alone', () => {
  const stored = { holderAccountId: 'a', issuedOn: '2021-06-01' };
  it('is another holder\'s number, an older issue, or the same facts', () => {
    expect(whyLeftAlone(stored, { holderAccountId: 'b', issuedOn: '2022-01-01' })).toBe('OTHER_HOLDER');
    expect(whyLeftAlone(stored, { holderAccountId: 'a', issuedOn: '2020-01-01' })).toBe('STALE');
    expect(whyLeftAlone(stored, { holderAccountId: 'a', issuedOn: '2021-06-01' })).toBe('UNCHANGED');
  });
});
