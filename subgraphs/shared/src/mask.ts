/**
 * Personal identification numbers (12 digits), old 9-digit ID card numbers and phone numbers must
 * never reach a log in full. Masking works on the serialised text, so it also catches numbers
 * inside messages, SQL parameters and error texts.
 */
const TWELVE_DIGITS = /(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)/g;
const VN_PHONE = /(?<!\d)(\+?84|0)(\d{2})\d{4}(\d{3})(?!\d)/g;
/** A foreigner's username: nationality and passport number ("JP:TK1234567"). */
const PASSPORT_USERNAME = /\b([A-Z]{2}):([A-Z0-9]{3,17})([A-Z0-9]{3})\b/gi;

export function maskPersonalData(text: string): string {
  return text.replace(TWELVE_DIGITS, '$1******$2').replace(PASSPORT_USERNAME, (_m, cc: string, head: string, tail: string) => `${cc}:${'*'.repeat(head.length)}${tail}`).replace(VN_PHONE, (_m, cc: string, head: string, tail: string) => `${cc}${head}****${tail}`);
}

export function maskPhone(phone: string): string {
  return phone.length <= 5 ? '*'.repeat(phone.length) : `${phone.slice(0, 3)}****${phone.slice(-3)}`;
}
