import { describe, expect, it } from 'vitest';
import { AccountKind } from '../accounts/account.entity';
import { checkForeignerRegistration, foreignerUsername, ISO_3166_ALPHA_2, type ForeignerRegistration } from '../accounts/registration-rules';
import { usernameOf } from './registration.service';

const TODAY = '2026-11-25';
const sato: ForeignerRegistration = {
  passportNumber: 'TK1234567', nationality: 'JP', fullName: 'Sato Yuki', dateOfBirth: '1988-02-03', gender: 'MALE',
  phone: '0912345678', email: 'yuki@example.jp', password: 'Sao-Mai-2026!', verificationPostalPointCode: '001-BC-0001',
};
const fields = (change: Partial<ForeignerRegistration>) => checkForeignerRegistration({ ...sato, ...change }, TODAY).map((p) => p.field);

describe('a foreigner\'s registration', () => {
  it('accepts a well-formed one, whatever the letter case of passport and nationality', () => {
    expect(fields({})).toEqual([]);
    expect(fields({ passportNumber: ' tk1234567 ', nationality: 'jp' })).toEqual([]);
  });

  it('reports every problem at once, in the order of the form', () => {
    expect(fields({
      passportNumber: 'TK 12', nationality: 'VN', fullName: '', dateOfBirth: '2020-02-30', phone: '+1 555 0100', email: '@', password: 'password',
      verificationPostalPointCode: '',
    })).toEqual(['passportNumber', 'nationality', 'fullName', 'dateOfBirth', 'phone', 'email', 'password', 'password', 'password', 'verificationPostalPointCode']);
  });

  it.each([['VN', /registerCitizen/], ['XK', /ISO 3166-1/], ['EU', /ISO 3166-1/], ['J1', /ISO 3166-1/], ['', /ISO 3166-1/]])('refuses the nationality %s', (nationality, message) => {
    const [problem] = checkForeignerRegistration({ ...sato, nationality }, TODAY);
    expect(problem).toMatchObject({ field: 'nationality', message: expect.stringMatching(message) });
  });

  it('knows the 249 officially assigned ISO 3166-1 alpha-2 codes', () => {
    expect(ISO_3166_ALPHA_2.size).toBe(249);
    for (const code of ['JP', 'KR', 'US', 'GB', 'FR', 'CN', 'LA', 'KH', 'SS', 'BQ']) expect(ISO_3166_ALPHA_2.has(code)).toBe(true);
  });

  it('refuses a password that contains the passport number, even split or in another case, and names why', () => {
    const problems = checkForeignerRegistration({ ...sato, password: 'x-Tk.1234567-A!' }, TODAY);
    expect(problems).toEqual([{ field: 'password', message: 'Password must not contain the passport number.' }]);
  });

  it('is from 14 years of age', () => {
    expect(fields({ dateOfBirth: '2012-11-25' })).toEqual([]);
    expect(fields({ dateOfBirth: '2012-11-26' })).toEqual(['dateOfBirth']);
  });
});

describe('usernames', () => {
  it('are the personal identification number for a citizen, and NATIONALITY:PASSPORT for a foreigner', () => {
    expect(usernameOf({ kind: AccountKind.CITIZEN, personalIdNumber: '001190000123' })).toBe('001190000123');
    expect(usernameOf({ kind: AccountKind.FOREIGNER, passportNumber: 'TK1234567', nationality: 'JP' })).toBe('JP:TK1234567');
    expect(foreignerUsername(' jp', 'tk1234567 ')).toBe('JP:TK1234567');
  });
});
