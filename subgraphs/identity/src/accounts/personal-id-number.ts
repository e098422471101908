// The 12-digit personal identification number (số định danh cá nhân) printed on the chip ID card (CCCD).
// Its structure is fixed by Decree 137/2015/NĐ-CP (art. 13) and the Ministry of Public Security circulars
// implementing it: digits 1–3 are the province where the birth was registered, digit 4 encodes century and
// gender, digits 5–6 are the last two digits of the birth year, digits 7–12 are random.
// Only the structure can be checked here; whether a number was actually issued is for the national population
// database to say.
import provincesFile from './provinces.json';

export type Gender = 'MALE' | 'FEMALE';
export type PersonalIdPart = 'FORMAT' | 'PROVINCE' | 'CENTURY' | 'GENDER' | 'BIRTH_YEAR';

export interface PersonalIdProblem {
  part: PersonalIdPart;
  message: string;
}

export interface DecodedPersonalId {
  provinceCode: string;
  provinceName: string;
  gender: Gender;
  /** Full year, e.g. 1999. */
  birthYear: number;
}

export type DecodeResult = { ok: true; value: DecodedPersonalId } | { ok: false; problems: PersonalIdProblem[] };

// Codes as numbered before the 2025 province merger: numbers already issued keep them, so they stay valid.
const PROVINCES: ReadonlyMap<string, string> = new Map(provincesFile.provinces.map((p) => [p.code, p.name]));

// ASCII only: full-width or other Unicode digits would pass \d-like checks but are not a valid number.
const TWELVE_DIGITS = /^[0-9]{12}$/;

export function provinceName(code: string): string | undefined {
  return PROVINCES.get(code);
}

interface Parts {
  provinceCode: string;
  centuryGenderDigit: number;
  yearDigits: string;
}

function readParts(value: string): Parts | undefined {
  if (!TWELVE_DIGITS.test(value)) return undefined;
  return {
    provinceCode: value.slice(0, 3),
    centuryGenderDigit: Number(value[3]),
    yearDigits: value.slice(4, 6),
  };
}

// Digit 4: 0/1 = 20th century (1900–1999), 2/3 = 21st, 4/5 = 22nd, 6/7 = 23rd, 8/9 = 24th; even = male, odd = female.
function centuryStart(digit: number): number {
  return 1900 + Math.floor(digit / 2) * 100;
}

function genderOf(digit: number): Gender {
  return digit % 2 === 0 ? 'MALE' : 'FEMALE';
}

function formatProblem(value: string): PersonalIdProblem {
  return {
    part: 'FORMAT',
    message: `must be exactly 12 digits 0–9, got ${[...value].length} character(s)${/^[0-9]*$/.test(value) ? '' : ' including non-digits'}`,
  };
}

function provinceProblem(parts: Parts): PersonalIdProblem | undefined {
  if (PROVINCES.has(parts.provinceCode)) return undefined;
  return { part: 'PROVINCE', message: `digits 1–3 (${parts.provinceCode}) are not a province code` };
}

/** Checks the structure only (format and province code) and decodes what the number says. */
export function decodePersonalIdNumber(value: string): DecodeResult {
  const parts = readParts(value);
  if (!parts) return { ok: false, problems: [formatProblem(value)] };
  const problem = provinceProblem(parts);
  if (problem) return { ok: false, problems: [problem] };
  return {
    ok: true,
    value: {
      provinceCode: parts.provinceCode,
      provinceName: PROVINCES.get(parts.provinceCode)!,
      gender: genderOf(parts.centuryGenderDigit),
      birthYear: centuryStart(parts.centuryGenderDigit) + Number(parts.yearDigits),
    },
  };
}

function birthYearOf(dateOfBirth: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (match) {
    const [year, month, day] = match.slice(1).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return year;
  }
  // A malformed declared date is the caller's validation failure, not a disagreement with the number.
  throw new RangeError(`dateOfBirth must be a calendar date as YYYY-MM-DD, got "${dateOfBirth}"`);
}

/**
 * Compares the number with what the person declared. Returns every disagreeing part at once
 * (province, century, gender, birth year) so the applicant can fix everything in one go;
 * returns only FORMAT when the value is not 12 digits, since nothing else can be read then.
 * An empty list means the number is consistent with the declaration.
 * Throws RangeError when declared.dateOfBirth is not a valid YYYY-MM-DD date.
 */
export function checkPersonalIdNumber(
  value: string,
  declared: { dateOfBirth: string; gender: Gender },
): PersonalIdProblem[] {
  const year = birthYearOf(declared.dateOfBirth);
  const parts = readParts(value);
  if (!parts) return [formatProblem(value)];

  const problems: PersonalIdProblem[] = [];
  const province = provinceProblem(parts);
  if (province) problems.push(province);

  const digit = parts.centuryGenderDigit;
  const start = centuryStart(digit);
  if (year < start || year > start + 99) {
    problems.push({
      part: 'CENTURY',
      message: `digit 4 (${digit}) says born ${start}–${start + 99} but the date of birth is ${declared.dateOfBirth}`,
    });
  }

  const gender = genderOf(digit);
  if (gender !== declared.gender) {
    problems.push({
      part: 'GENDER',
      message: `digit 4 (${digit}) says ${gender.toLowerCase()} but the declared gender is ${declared.gender}`,
    });
  }

  if (Number(parts.yearDigits) !== year % 100) {
    problems.push({
      part: 'BIRTH_YEAR',
      message: `digits 5–6 (${parts.yearDigits}) say birth year ..${parts.yearDigits} but the date of birth is in ${year}`,
    });
  }
  return problems;
}

/**
 * Keeps the first 3 and last 3 characters ("035******123") — enough for a person to recognise their own number
 * on screen or in logs without disclosing it (personal data protection, Decree 13/2023/NĐ-CP).
 * Values of 6 characters or fewer are masked entirely, since keeping 3 + 3 would reveal all of them.
 */
export function maskPersonalIdNumber(value: string): string {
  const chars = [...value];
  if (chars.length <= 6) return '*'.repeat(chars.length);
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 6) + chars.slice(-3).join('');
}
