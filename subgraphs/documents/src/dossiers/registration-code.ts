import { randomInt } from 'node:crypto';

// Crockford base32: no I, L, O, U, so a code read aloud or typed from a receipt is not misread.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `HS-YYMMDD-XXXXXXXX`: the submission day (Vietnam time) and 8 random characters (40 bits), so codes
 * cannot be enumerated to find other people's dossiers. Uniqueness is enforced by the database.
 */
export function newRegistrationCode(now = new Date()): string {
  const day = new Date(now.getTime() + 7 * 3600_000).toISOString().slice(2, 10).replaceAll('-', '');
  let random = '';
  for (let i = 0; i < 8; i++) random += ALPHABET[randomInt(ALPHABET.length)];
  return `HS-${day}-${random}`;
}

export const REGISTRATION_CODE = /^HS-\d{6}-[0-9A-HJKMNP-TV-Z]{8}$/;
