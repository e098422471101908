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

function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** Every problem of a registration at once, each naming its field, so a form can mark them all. */
export function checkCitizenRegistration(input: CitizenRegistration, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const name = normaliseName(input.fullName);
  if (name.length < 2 || name.length > 100 || !NAME.test(name)) problems.push({ field: 'fullName', message: 'Full name must be 2–100 letters, as on the ID card.' });

  const dateOk = isIsoDate(input.dateOfBirth);
  if (!dateOk) problems.push({ field: 'dateOfBirth', message: 'Date of birth must be a real date, YYYY-MM-DD.' });
  else if (input.dateOfBirth > today) problems.push({ field: 'dateOfBirth', message: 'Date of birth is in the future.' });
  else if (ageOn(input.dateOfBirth, today) < MINIMUM_SELF_REGISTRATION_AGE) {
    problems.push({ field: 'dateOfBirth', message: `Self-registration is from ${MINIMUM_SELF_REGISTRATION_AGE} years of age; a parent registers younger children.` });
  }

  if (dateOk) {
    for (const p of checkPersonalIdNumber(input.personalIdNumber, { dateOfBirth: input.dateOfBirth, gender: input.gender })) {
      problems.push({ field: 'personalIdNumber', message: `Personal identification number ${p.message}.`, ...{ part: p.part } });
    }
  } else if (!/^[0-9]{12}$/.test(input.personalIdNumber)) {
    problems.push({ field: 'personalIdNumber', message: 'Personal identification number must be exactly 12 digits.' });
  }

  const phone = normaliseMobile(input.phone);
  if (!phone) problems.push({ field: 'phone', message: 'Phone must be a Vietnamese mobile number, e.g. 0912345678.' });
  if (input.email && (input.email.trim().length > 254 || !EMAIL.test(input.email.trim()))) problems.push({ field: 'email', message: 'E-mail address is not valid.' });

  for (const message of checkPassword(input.password, { username: input.personalIdNumber, personalIdNumber: input.personalIdNumber, phone: input.phone })) {
    problems.push({ field: 'password', message });
  }
  if (!/^[A-Za-z0-9-]{3,32}$/.test(input.verificationPostalPointCode)) problems.push({ field: 'verificationPostalPointCode', message: 'Postal point code is not valid.' });
  return problems;
}
