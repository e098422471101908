import { describe, it, expect } from 'vitest';
import {
  checkPersonalIdNumber,
  decodePersonalIdNumber,
  maskPersonalIdNumber,
  provinceName,
  type DecodedPersonalId,
  type Gender,
} from './personal-id-number';

describe('decodePersonalIdNumber: every century/gender digit', () => {
  const cases: Array<[string, DecodedPersonalId]> = [
    ['001085000001', { provinceCode: '001', provinceName: 'Hà Nội', gender: 'MALE', birthYear: 1985 }],
    ['035199000123', { provinceCode: '035', provinceName: 'Hà Nam', gender: 'FEMALE', birthYear: 1999 }],
    ['079203001234', { provinceCode: '079', provinceName: 'Hồ Chí Minh', gender: 'MALE', birthYear: 2003 }],
    ['048300999999', { provinceCode: '048', provinceName: 'Đà Nẵng', gender: 'FEMALE', birthYear: 2000 }],
    ['031400000000', { provinceCode: '031', provinceName: 'Hải Phòng', gender: 'MALE', birthYear: 2100 }],
    ['092501123456', { provinceCode: '092', provinceName: 'Cần Thơ', gender: 'FEMALE', birthYear: 2101 }],
    ['096622111111', { provinceCode: '096', provinceName: 'Cà Mau', gender: 'MALE', birthYear: 2222 }],
    ['001799222222', { provinceCode: '001', provinceName: 'Hà Nội', gender: 'FEMALE', birthYear: 2299 }],
    ['001850333333', { provinceCode: '001', provinceName: 'Hà Nội', gender: 'MALE', birthYear: 2350 }],
    ['001900444444', { provinceCode: '001', provinceName: 'Hà Nội', gender: 'FEMALE', birthYear: 2300 }],
  ];
  it.each(cases)('%s', (value, expected) => {
    expect(decodePersonalIdNumber(value)).toEqual({ ok: true, value: expected });
  });
});

describe('decodePersonalIdNumber: structural problems', () => {
  it.each(['000', '003', '099', '097', '100', '999'])('unknown province %s', (code) => {
    expect(decodePersonalIdNumber(`${code}199000123`)).toEqual({
      ok: false,
      problems: [{ part: 'PROVINCE', message: `digits 1–3 (${code}) are not a province code` }],
    });
  });

  const badFormat: Array<[string, string, string]> = [
    ['empty', '', 'must be exactly 12 digits 0–9, got 0 character(s)'],
    ['11 digits', '03519900012', 'must be exactly 12 digits 0–9, got 11 character(s)'],
    ['13 digits', '0351990001234', 'must be exactly 12 digits 0–9, got 13 character(s)'],
    ['letter', '03519900012A', 'must be exactly 12 digits 0–9, got 12 character(s) including non-digits'],
    ['spaces', '035 199 000 123', 'must be exactly 12 digits 0–9, got 15 character(s) including non-digits'],
    ['leading space', ' 35199000123', 'must be exactly 12 digits 0–9, got 12 character(s) including non-digits'],
    ['trailing newline', '035199000123\n', 'must be exactly 12 digits 0–9, got 13 character(s) including non-digits'],
    ['full-width digits', '０３５１９９０００１２３', 'must be exactly 12 digits 0–9, got 12 character(s) including non-digits'],
    ['Arabic-Indic digits', '٠٣٥١٩٩٠٠٠١٢٣', 'must be exactly 12 digits 0–9, got 12 character(s) including non-digits'],
    ['9-digit old CMND', '012345678', 'must be exactly 12 digits 0–9, got 9 character(s)'],
  ];
  it.each(badFormat)('%s', (_label, value, message) => {
    expect(decodePersonalIdNumber(value)).toEqual({ ok: false, problems: [{ part: 'FORMAT', message }] });
  });
});

describe('checkPersonalIdNumber', () => {
  const consistent: Array<[string, string, Gender]> = [
    ['001085000001', '1985-01-01', 'MALE'],
    ['035199000123', '1999-12-31', 'FEMALE'],
    ['035100000123', '1900-01-01', 'FEMALE'],
    ['079203001234', '2003-02-28', 'MALE'],
    ['048300999999', '2000-02-29', 'FEMALE'],
    ['031400000000', '2100-06-15', 'MALE'],
    ['092501123456', '2101-01-01', 'FEMALE'],
    ['096622111111', '2222-02-02', 'MALE'],
    ['001799222222', '2299-12-31', 'FEMALE'],
    ['001850333333', '2350-07-07', 'MALE'],
    ['001900444444', '2300-01-01', 'FEMALE'],
  ];
  it.each(consistent)('%s is consistent with %s %s', (value, dateOfBirth, gender) => {
    expect(checkPersonalIdNumber(value, { dateOfBirth, gender })).toEqual([]);
  });

  const mismatches: Array<[string, string, string, Gender, Array<{ part: string; message: string }>]> = [
    [
      'unknown province only',
      '099199000123',
      '1999-05-20',
      'FEMALE',
      [{ part: 'PROVINCE', message: 'digits 1–3 (099) are not a province code' }],
    ],
    [
      'century: 0 says 1900s, born 2001',
      '001001000123',
      '2001-03-04',
      'MALE',
      [{ part: 'CENTURY', message: 'digit 4 (0) says born 1900–1999 but the date of birth is 2001-03-04' }],
    ],
    [
      'century: 2 says 2000s, born 1999',
      '001299000123',
      '1999-03-04',
      'MALE',
      [{ part: 'CENTURY', message: 'digit 4 (2) says born 2000–2099 but the date of birth is 1999-03-04' }],
    ],
    [
      'century: born before 1900 cannot be encoded',
      '001199000123',
      '1899-12-31',
      'FEMALE',
      [{ part: 'CENTURY', message: 'digit 4 (1) says born 1900–1999 but the date of birth is 1899-12-31' }],
    ],
    [
      'gender: 1 says female, declared male',
      '035199000123',
      '1999-05-20',
      'MALE',
      [{ part: 'GENDER', message: 'digit 4 (1) says female but the declared gender is MALE' }],
    ],
    [
      'gender: 2 says male, declared female',
      '079203001234',
      '2003-05-20',
      'FEMALE',
      [{ part: 'GENDER', message: 'digit 4 (2) says male but the declared gender is FEMALE' }],
    ],
    [
      'birth year: 99 vs 1998',
      '035199000123',
      '1998-05-20',
      'FEMALE',
      [{ part: 'BIRTH_YEAR', message: 'digits 5–6 (99) say birth year ..99 but the date of birth is in 1998' }],
    ],
    [
      'birth year: 03 vs 2030',
      '079203001234',
      '2030-01-01',
      'MALE',
      [{ part: 'BIRTH_YEAR', message: 'digits 5–6 (03) say birth year ..03 but the date of birth is in 2030' }],
    ],
    [
      'century and gender from the same digit',
      '035099000123',
      '2099-01-01',
      'FEMALE',
      [
        { part: 'CENTURY', message: 'digit 4 (0) says born 1900–1999 but the date of birth is 2099-01-01' },
        { part: 'GENDER', message: 'digit 4 (0) says male but the declared gender is FEMALE' },
      ],
    ],
    [
      'all four parts at once',
      '000085000001',
      '2001-03-04',
      'FEMALE',
      [
        { part: 'PROVINCE', message: 'digits 1–3 (000) are not a province code' },
        { part: 'CENTURY', message: 'digit 4 (0) says born 1900–1999 but the date of birth is 2001-03-04' },
        { part: 'GENDER', message: 'digit 4 (0) says male but the declared gender is FEMALE' },
        { part: 'BIRTH_YEAR', message: 'digits 5–6 (85) say birth year ..85 but the date of birth is in 2001' },
      ],
    ],
    [
      'format alone when not 12 digits',
      '0000850000',
      '2001-03-04',
      'FEMALE',
      [{ part: 'FORMAT', message: 'must be exactly 12 digits 0–9, got 10 character(s)' }],
    ],
  ];
  it.each(mismatches)('%s', (_label, value, dateOfBirth, gender, expected) => {
    expect(checkPersonalIdNumber(value, { dateOfBirth, gender })).toEqual(expected);
  });

  it.each(['1999-02-30', '1999-13-01', '20-01-1999', '1999-5-20', ''])(
    'rejects the malformed declared date "%s" instead of guessing',
    (dateOfBirth) => {
      expect(() => checkPersonalIdNumber('035199000123', { dateOfBirth, gender: 'FEMALE' })).toThrow(RangeError);
    },
  );
});

describe('maskPersonalIdNumber', () => {
  it.each([
    ['035199000123', '035******123'],
    ['001085000001', '001******001'],
    ['1234567', '123*567'],
    ['123456', '******'],
    ['', ''],
  ])('%s → %s', (value, masked) => {
    expect(maskPersonalIdNumber(value)).toBe(masked);
  });
});

describe('provinceName', () => {
  it.each([
    ['001', 'Hà Nội'],
    ['035', 'Hà Nam'],
    ['079', 'Hồ Chí Minh'],
    ['000', undefined],
    ['003', undefined],
    ['1', undefined],
  ])('%s → %s', (code, name) => {
    expect(provinceName(code)).toBe(name);
  });

  it('knows all 63 provinces', () => {
    const known = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0')).filter((c) => provinceName(c));
    expect(known).toHaveLength(63);
  });
});
