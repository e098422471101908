import { describe, expect, it } from 'vitest';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { claimedAttributes, compareClaims, matchEmail, matchExactly, matchName, matchPhone, MatchResult, type RecordedAttributes } from './matching';

const { EXACT, NORMALISED, NO_MATCH, NOT_CHECKED } = MatchResult;
const REGISTERED = 'Nguyễn Văn Đạt';

describe('matching a claimed name against the registry', () => {
  it.each<[string, string, MatchResult]>([
    ['the same name', REGISTERED, EXACT],
    ['the same letters in decomposed Unicode (NFD)', REGISTERED.normalize('NFD'), EXACT],
    ['upper case', 'NGUYỄN VĂN ĐẠT', NORMALISED],
    ['lower case', 'nguyễn văn đạt', NORMALISED],
    ['no diacritics, extra spaces', 'Nguyen  Van Dat', NORMALISED],
    ['upper case without diacritics', 'NGUYEN VAN DAT', NORMALISED],
    ['Đ written as D', 'Nguyễn Văn Dạt', NORMALISED],
    ['tones dropped, Đ kept', 'Nguyên Văn Đat', NORMALISED],
    ['spaces around and a tab inside', ' Nguyễn\tVăn Đạt  ', NORMALISED],
    ['another given name', 'Nguyễn Văn Đạo', NO_MATCH],
    ['the middle name missing', 'Nguyễn Đạt', NO_MATCH],
    ['the parts in another order', 'Đạt Văn Nguyễn', NO_MATCH],
    ['another person', 'Trần Thị Mai', NO_MATCH],
    ['nothing but spaces', '   ', NO_MATCH],
  ])('%s → %s', (_case, claimed, expected) => {
    expect(matchName(claimed, REGISTERED)).toBe(expected);
  });

  it('folds Đ/đ in the registry too: "DANG" matches a registered "Đặng"', () => {
    expect(matchName('DANG THI HOA', 'Đặng Thị Hoa')).toBe(NORMALISED);
    expect(matchName('đặng thị hoa', 'ĐẶNG THỊ HOA')).toBe(NORMALISED);
  });
});

describe('matching the other attributes', () => {
  it.each<[string, (claimed: string, recorded: string) => MatchResult, string, string, MatchResult]>([
    ['date of birth, the same day', matchExactly, '1990-04-12', '1990-04-12', EXACT],
    ['date of birth, the next day', matchExactly, '1990-04-13', '1990-04-12', NO_MATCH],
    ['date of birth, the same day written otherwise (never normalised)', matchExactly, '12/04/1990', '1990-04-12', NO_MATCH],
    ['gender, the same', matchExactly, 'FEMALE', 'FEMALE', EXACT],
    ['gender, another', matchExactly, 'MALE', 'FEMALE', NO_MATCH],
    ['phone as stored (E.164)', matchPhone, '+84912345678', '+84912345678', EXACT],
    ['phone written nationally', matchPhone, '0912345678', '+84912345678', NORMALISED],
    ['phone written with spaces and dots', matchPhone, '0912 345.678', '+84912345678', NORMALISED],
    ['another phone', matchPhone, '0912345679', '+84912345678', NO_MATCH],
    ['e-mail as stored', matchEmail, 'lan@example.vn', 'lan@example.vn', EXACT],
    ['e-mail in another case', matchEmail, ' LAN@Example.VN ', 'lan@example.vn', NORMALISED],
    ['another e-mail', matchEmail, 'lan2@example.vn', 'lan@example.vn', NO_MATCH],
  ])('%s → %s', (_case, match, claimed, recorded, expected) => {
    expect(match(claimed, recorded)).toBe(expected);
  });
});

describe('comparing a claim within a consent', () => {
  const recorded: RecordedAttributes = { fullName: REGISTERED, dateOfBirth: '1990-04-12', gender: 'MALE', phone: '+84912345678', email: null };
  const claims = { fullName: 'NGUYEN VAN DAT', dateOfBirth: '1990-04-12', gender: 'FEMALE', phone: '0912345678', email: 'dat@example.vn' };

  it('answers every claimed attribute the consent names, in a fixed order; a missing registry value is NO_MATCH', () => {
    const all = new Set(Object.values(IdentityAttribute));
    expect(compareClaims(claims, recorded, all).checks).toEqual([
      { attribute: IdentityAttribute.FULL_NAME, result: NORMALISED },
      { attribute: IdentityAttribute.DATE_OF_BIRTH, result: EXACT },
      { attribute: IdentityAttribute.GENDER, result: NO_MATCH },
      { attribute: IdentityAttribute.PHONE, result: NORMALISED },
      { attribute: IdentityAttribute.EMAIL, result: NO_MATCH },
    ]);
  });

  it('never widens the consent: an attribute outside it is NOT_CHECKED and its registry value is never read', () => {
    const readable = new Set(['fullName', 'dateOfBirth']);
    const guarded = new Proxy(recorded, {
      get(target, key: string) {
        if (!readable.has(key)) throw new Error(`read ${key}, which the consent does not name`);
        return target[key as keyof RecordedAttributes];
      },
    });
    const { checks, checked } = compareClaims(claims, guarded, new Set([IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH]));
    expect(checks).toEqual([
      { attribute: IdentityAttribute.FULL_NAME, result: NORMALISED },
      { attribute: IdentityAttribute.DATE_OF_BIRTH, result: EXACT },
      { attribute: IdentityAttribute.GENDER, result: NOT_CHECKED },
      { attribute: IdentityAttribute.PHONE, result: NOT_CHECKED },
      { attribute: IdentityAttribute.EMAIL, result: NOT_CHECKED },
    ]);
    expect(checked).toEqual([IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH]);
  });

  it('answers only what was claimed: an unclaimed attribute is not in the answer, even when the consent names it', () => {
    const { checks } = compareClaims({ fullName: REGISTERED }, recorded, new Set(Object.values(IdentityAttribute)));
    expect(checks).toEqual([{ attribute: IdentityAttribute.FULL_NAME, result: EXACT }]);
    expect(claimedAttributes({ fullName: 'x', gender: null, email: undefined, phone: '0912345678' })).toEqual([IdentityAttribute.FULL_NAME, IdentityAttribute.PHONE]);
  });
});
