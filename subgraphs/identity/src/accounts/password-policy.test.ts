import { describe, it, expect } from 'vitest';
import { checkPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type PasswordContext } from './password-policy';

const TOO_SHORT = 'Password must be at least 8 characters long.';
const TOO_LONG = 'Password must be at most 128 characters long.';
const NO_LOWERCASE = 'Password must contain a lowercase letter.';
const NO_UPPERCASE = 'Password must contain an uppercase letter.';
const NO_DIGIT = 'Password must contain a digit.';
const NO_SPECIAL = 'Password must contain a special character (anything other than a letter or digit).';
const HAS_USERNAME = 'Password must not contain the username.';
const HAS_PERSONAL_ID = 'Password must not contain the personal identification number.';
const HAS_PHONE = 'Password must not contain the phone number.';

const person: PasswordContext = { username: 'nguyenvana', personalIdNumber: '035199000123', phone: '0912345678' };

describe('password length bounds', () => {
  it('are 8 and 128', () => {
    expect([PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH]).toEqual([8, 128]);
  });
});

describe('checkPassword', () => {
  const cases: Array<[string, string, PasswordContext, string[]]> = [
    ['meets every requirement', 'Sông#Hồng2024', person, []],
    ['meets every requirement without context', 'Tr@ng9xanh', {}, []],
    ['exactly 8 characters', 'Ab1!cdef', {}, []],
    ['7 characters', 'Ab1!cde', {}, [TOO_SHORT]],
    ['8 characters counting Vietnamese letters as one each', 'Ăn1!ườgơ', {}, []],
    ['emoji counts as one character', 'Ab1😀cde', {}, [TOO_SHORT]],
    ['exactly 128 characters', `Ab1!${'x'.repeat(124)}`, {}, []],
    ['129 characters', `Ab1!${'x'.repeat(125)}`, {}, [TOO_LONG]],
    ['empty', '', {}, [TOO_SHORT, NO_LOWERCASE, NO_UPPERCASE, NO_DIGIT, NO_SPECIAL]],
    ['no lowercase', 'ABCD123!', {}, [NO_LOWERCASE]],
    ['no uppercase', 'abcd123!', {}, [NO_UPPERCASE]],
    ['Vietnamese lowercase counts', 'ĐÔNG123!ă', {}, []],
    ['Vietnamese uppercase counts', 'đông123!Ă', {}, []],
    ['no digit', 'Abcdefg!', {}, [NO_DIGIT]],
    ['no special character', 'Abcdefg1', {}, [NO_SPECIAL]],
    ['Vietnamese letters are not special characters', 'Abcdăêơ1', {}, [NO_SPECIAL]],
    ['decomposed Vietnamese letters are not special characters', 'Abcda\u0306e\u03021', {}, [NO_SPECIAL]],
    ['a space is a special character', 'Abc def1', {}, []],
    ['contains the username', 'xnguyenvana1!A', person, [HAS_USERNAME]],
    ['contains the username in another case', 'NguyenVanA#2024', person, [HAS_USERNAME]],
    ['username is ignored when not given', 'NguyenVanA#2024', {}, []],
    ['contains the personal ID number', 'Ab!035199000123', person, [HAS_PERSONAL_ID]],
    ['contains the personal ID number with separators', 'Ab!035-199-000-123', person, [HAS_PERSONAL_ID]],
    ['part of the personal ID number is fine', 'Ab!0351990001', person, []],
    ['contains the phone number', 'Ab!0912345678', person, [HAS_PHONE]],
    ['contains the phone number with separators', 'Ab!0912.345.678', person, [HAS_PHONE]],
    ['contains the phone number in international form', 'Ab!84912345678', person, [HAS_PHONE]],
    [
      'contains the national form of a phone given internationally',
      'Ab!0912345678',
      { phone: '+84 912 345 678' },
      [HAS_PHONE],
    ],
    ['part of the phone number is fine', 'Ab!091234567', person, []],
    [
      'several problems at once',
      'nguyenvana0912345678',
      person,
      [NO_UPPERCASE, NO_SPECIAL, HAS_USERNAME, HAS_PHONE],
    ],
  ];
  it.each(cases)('%s', (_label, password, context, expected) => {
    expect(checkPassword(password, context)).toEqual(expected);
  });
});
