// The portal's password rule. Every unmet requirement is reported at once so the form can list them all,
// instead of making the person retry one rule at a time.

export const PASSWORD_MIN_LENGTH = 8;
// The upper bound caps the work the password hash does per login attempt, so a megabyte-long "password"
// cannot be used to tie up the server.
export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordContext {
  username?: string;
  personalIdNumber?: string;
  phone?: string;
}

// Lengths count Unicode code points, so a Vietnamese letter or an emoji counts as one character, as people expect.
function codePointLength(text: string): number {
  return [...text].length;
}

// Combining marks (\p{M}) belong to letters: Vietnamese typed in decomposed form ("a" + U+0306) is still a letter,
// not a special character.
const LOWERCASE = /\p{Ll}/u;
const UPPERCASE = /\p{Lu}/u;
const DIGIT = /\p{Nd}/u;
const SPECIAL = /[^\p{L}\p{M}\p{Nd}]/u;

function digitsOf(text: string): string {
  return text.replace(/[^0-9]/g, '');
}

// A Vietnamese mobile number is written either nationally ("0912345678") or internationally ("+84 912 345 678");
// a password containing either form gives the number away.
function phoneForms(phone: string): string[] {
  const digits = digitsOf(phone);
  if (!digits) return [];
  if (digits.startsWith('84') && digits.length >= 11) return [digits, `0${digits.slice(2)}`];
  if (digits.startsWith('0')) return [digits, `84${digits.slice(1)}`];
  return [digits];
}

// Identifying numbers are matched against the password's digits alone, so separators ("0912-345-678") do not hide them.
function containsNumber(password: string, numbers: string[]): boolean {
  const passwordDigits = digitsOf(password);
  return numbers.some((n) => n.length > 0 && passwordDigits.includes(n));
}

function containsText(password: string, text: string | undefined): boolean {
  const needle = text?.trim().normalize('NFC').toLowerCase();
  return !!needle && password.normalize('NFC').toLowerCase().includes(needle);
}

/** Returns every unmet requirement in plain English; an empty list means the password is acceptable. */
export function checkPassword(password: string, context: PasswordContext): string[] {
  const problems: string[] = [];
  const chars = codePointLength(password);
  if (chars < PASSWORD_MIN_LENGTH) problems.push(`Password must be at least ${PASSWORD_MIN_LENGTH} characters long.`);
  if (chars > PASSWORD_MAX_LENGTH) problems.push(`Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`);
  if (!LOWERCASE.test(password)) problems.push('Password must contain a lowercase letter.');
  if (!UPPERCASE.test(password)) problems.push('Password must contain an uppercase letter.');
  if (!DIGIT.test(password)) problems.push('Password must contain a digit.');
  if (!SPECIAL.test(password)) {
    problems.push('Password must contain a special character (anything other than a letter or digit).');
  }
  if (containsText(password, context.username)) problems.push('Password must not contain the username.');
  if (context.personalIdNumber && containsNumber(password, [digitsOf(context.personalIdNumber)])) {
    problems.push('Password must not contain the personal identification number.');
  }
  if (context.phone && containsNumber(password, phoneForms(context.phone))) {
    problems.push('Password must not contain the phone number.');
  }
  return problems;
}
