import { isIsoDate, type FieldProblem } from '../../../shared/src';
import { checkPassword } from './password-policy';
import { checkPersonalIdNumber } from './personal-id-number';

export interface CitizenRegistration {
  personalIdNumber: string;
  fullName: string;
  dateOfBirth: string;
  gender: 'MALE' | 'FEMALE';
  phone: string;
  email?: string | null;
  password: string;
  verificationPostalPointCode: string;
}

/** Self-registration is for citizens from 14 years old; younger children are registered by a parent. */
export const MINIMUM_SELF_REGISTRATION_AGE = 14;

const MOBILE = /^(?:\+?84|0)((?:3|5|7|8|9)\d{8})$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const NAME = /^[\p{L}][\p{L}\p{M}' .-]*$/u;

/** A Vietnamese mobile number in E.164 (+84…), or undefined when it is not one. */
export function normaliseMobile(phone: string): string | undefined {
  const match = MOBILE.exec(phone.replace(/[\s.-]/g, ''));
  return match ? `+84${match[1]}` : undefined;
}

/** Collapses spaces so "  Nguyễn   Văn  A " and "Nguyễn Văn A" are one name; keeps diacritics (NFC). */
export function normaliseName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

function checkFullName(fullName: string, document: string): FieldProblem[] {
  const name = normaliseName(fullName);
  return name.length < 2 || name.length > 100 || !NAME.test(name) ? [{ field: 'fullName', message: `Full name must be 2–100 letters, as on the ${document}.` }] : [];
}

function checkDateOfBirth(dateOfBirth: string, today: string): FieldProblem[] {
  if (!isIsoDate(dateOfBirth)) return [{ field: 'dateOfBirth', message: 'Date of birth must be a real date, YYYY-MM-DD.' }];
  if (dateOfBirth > today) return [{ field: 'dateOfBirth', message: 'Date of birth is in the future.' }];
  if (ageOn(dateOfBirth, today) < MINIMUM_SELF_REGISTRATION_AGE) {
    return [{ field: 'dateOfBirth', message: `Self-registration is from ${MINIMUM_SELF_REGISTRATION_AGE} years of age; a parent registers younger children.` }];
  }
  return [];
}

export function checkPhoneAndEmail(phone: string, email: string | null | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!normaliseMobile(phone)) problems.push({ field: 'phone', message: 'Phone must be a Vietnamese mobile number, e.g. 0912345678.' });
  if (email && (email.trim().length > 254 || !EMAIL.test(email.trim()))) problems.push({ field: 'email', message: 'E-mail address is not valid.' });
  return problems;
}

function checkPostalPointCode(code: string): FieldProblem[] {
  return /^[A-Za-z0-9-]{3,32}$/.test(code) ? [] : [{ field: 'verificationPostalPointCode', message: 'Postal point code is not valid.' }];
}

/** Every problem of a registration at once, each naming its field, so a form can mark them all. */
export function checkCitizenRegistration(input: CitizenRegistration, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [...checkFullName(input.fullName, 'ID card'), ...checkDateOfBirth(input.dateOfBirth, today)];

  if (isIsoDate(input.dateOfBirth)) {
    for (const p of checkPersonalIdNumber(input.personalIdNumber, { dateOfBirth: input.dateOfBirth, gender: input.gender })) {
      problems.push({ field: 'personalIdNumber', message: `Personal identification number ${p.message}.`, ...{ part: p.part } });
    }
  } else if (!/^[0-9]{12}$/.test(input.personalIdNumber)) {
    problems.push({ field: 'personalIdNumber', message: 'Personal identification number must be exactly 12 digits.' });
  }

  problems.push(...checkPhoneAndEmail(input.phone, input.email));
  for (const message of checkPassword(input.password, { username: input.personalIdNumber, personalIdNumber: input.personalIdNumber, phone: input.phone })) {
    problems.push({ field: 'password', message });
  }
  problems.push(...checkPostalPointCode(input.verificationPostalPointCode));
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Foreigners (người nước ngoài): identified by passport number and nationality instead of a personal
// identification number.

export interface ForeignerRegistration extends Omit<CitizenRegistration, 'personalIdNumber'> {
  passportNumber: string;
  /** ISO 3166-1 alpha-2. */
  nationality: string;
}

/** ICAO 9303 passport numbers are Latin letters and digits; 6–20 covers every issuer's format with room. */
const PASSPORT_NUMBER = /^[A-Z0-9]{6,20}$/;

/**
 * The officially assigned ISO 3166-1 alpha-2 codes (249). A fixed list rather than `Intl.DisplayNames`, which
 * also names regions that issue no passports (EU, UN, 419…), withdrawn codes (AN, CS, YU…) and user-assigned
 * ones (XK), and whose answers depend on the ICU data Node was built with.
 */
export const ISO_3166_ALPHA_2: ReadonlySet<string> = new Set((
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ '
  + 'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR '
  + 'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP '
  + 'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ '
  + 'NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW '
  + 'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ '
  + 'UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' '));

/** Vietnam: a Vietnamese citizen registers with their personal identification number, never as a foreigner. */
export const VIETNAM = 'VN';

/** A passport number as stored and compared: trimmed, upper-case ("tk1234567" and "TK1234567" are one passport). */
export function normalisePassportNumber(passportNumber: string): string {
  return passportNumber.trim().toUpperCase();
}

export function normaliseNationality(nationality: string): string {
  return nationality.trim().toUpperCase();
}

/**
 * A foreigner's username: nationality, a colon, the passport number ("JP:TK1234567"). Stable (both parts are
 * stored normalised), unique (the pair is what identifies a foreigner; the same passport number of another
 * country is another person), never a citizen's (12 digits) nor a staff name (no colon), and logged in with
 * case-insensitively like every username.
 */
export function foreignerUsername(nationality: string, passportNumber: string): string {
  return `${normaliseNationality(nationality)}:${normalisePassportNumber(passportNumber)}`;
}

/** Letters and digits only, lower-case: "Tk-1234567" in a password still gives the passport away. */
function alphanumerics(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** Every problem of a foreigner's registration at once, each naming its field (values are checked normalised). */
export function checkForeignerRegistration(input: ForeignerRegistration, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const passportNumber = normalisePassportNumber(input.passportNumber);
  const nationality = normaliseNationality(input.nationality);
  if (!PASSPORT_NUMBER.test(passportNumber)) problems.push({ field: 'passportNumber', message: 'Passport number must be 6–20 letters and digits, as printed in the passport.' });
  if (nationality === VIETNAM) {
    problems.push({ field: 'nationality', message: 'A Vietnamese citizen registers with their personal identification number (registerCitizen), not as a foreigner.' });
  } else if (!ISO_3166_ALPHA_2.has(nationality)) {
    problems.push({ field: 'nationality', message: 'Nationality must be an ISO 3166-1 two-letter country code, as in the passport (e.g. "JP").' });
  }
  problems.push(...checkFullName(input.fullName, 'passport'), ...checkDateOfBirth(input.dateOfBirth, today), ...checkPhoneAndEmail(input.phone, input.email));

  // The username ("JP:TK1234567") contains the passport number, so refusing the number refuses the username too.
  for (const message of checkPassword(input.password, { phone: input.phone })) problems.push({ field: 'password', message });
  if (passportNumber.length >= 4 && alphanumerics(input.password).includes(passportNumber.toLowerCase())) {
    problems.push({ field: 'password', message: 'Password must not contain the passport number.' });
  }
  problems.push(...checkPostalPointCode(input.verificationPostalPointCode));
  return problems;
}
