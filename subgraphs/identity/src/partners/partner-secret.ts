import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits: a partner's client secret, shown once (at registration or rotation) and never stored. */
export const CLIENT_SECRET_BYTES = 32;
const SCHEME = 'hmac-sha256';
/** Longer input is no one's secret; it is cut before hashing so a huge argument costs no more than a real one. */
const MAX_SECRET_LENGTH = 128;

/**
 * Client secrets are stored as `hmac-sha256$<salt>$<digest>`: HMAC-SHA256 keyed by a random per-partner salt.
 *
 * Why not scrypt, as for passwords: a slow hash buys time against guessing a *low-entropy* secret. A secret of
 * 256 random bits cannot be guessed at any speed (2^255 tries on average), so slowing each try protects
 * nothing, while it would make every `issuePartnerToken` — an anonymous operation — cost scrypt's 32 MB and
 * tens of milliseconds: a lever for exhausting the service. The salt gives equal secrets different hashes and
 * rules out precomputed tables; no server-wide key is involved, so the development seed (another process)
 * can store the demo partner's secret too.
 */
export function newClientSecret(): string {
  return randomBytes(CLIENT_SECRET_BYTES).toString('base64url');
}

export function hashClientSecret(secret: string, salt: Buffer = randomBytes(16)): string {
  return [SCHEME, salt.toString('base64url'), digest(salt, secret).toString('base64url')].join('$');
}

/** Constant-time for a well-formed stored hash; a malformed one never matches. */
export function verifyClientSecret(secret: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash ?? '', 'base64url');
  const actual = digest(Buffer.from(salt ?? '', 'base64url'), secret);
  return scheme === SCHEME && expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Compared against when the client id is unknown, so that an unknown client and a wrong secret cost the same. */
export const UNKNOWN_CLIENT_SECRET_HASH = hashClientSecret(newClientSecret());

function digest(salt: Buffer, secret: string): Buffer {
  return createHmac('sha256', salt).update(secret.slice(0, MAX_SECRET_LENGTH), 'utf8').digest();
}
