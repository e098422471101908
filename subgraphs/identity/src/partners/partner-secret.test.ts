import { describe, expect, it } from 'vitest';
import { hashClientSecret, newClientSecret, UNKNOWN_CLIENT_SECRET_HASH, verifyClientSecret } from './partner-secret';

describe('partner client secrets', () => {
  it('are 256 random bits, base64url', () => {
    const secret = newClientSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(newClientSecret()).not.toBe(secret);
  });

  it('are stored salted: the hash holds neither the secret nor the same value twice', () => {
    const secret = newClientSecret();
    const [first, second] = [hashClientSecret(secret), hashClientSecret(secret)];
    expect(first).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(first).not.toContain(secret);
    expect(second).not.toBe(first);
    expect(verifyClientSecret(secret, first) && verifyClientSecret(secret, second)).toBe(true);
  });

  it.each([
    ['another secret', () => newClientSecret()],
    ['the secret with one character changed', (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`],
    ['an empty string', () => ''],
    ['a very long string starting with the secret', (s: string) => s + 'x'.repeat(1_000_000)],
  ])('refuses %s', (_what, make) => {
    const secret = newClientSecret();
    expect(verifyClientSecret(make(secret), hashClientSecret(secret))).toBe(false);
  });

  it('never matches a malformed stored value, nor the stand-in used for unknown clients', () => {
    const secret = newClientSecret();
    for (const stored of ['', 'plain', `scrypt$x$y`, `hmac-sha256$$`, hashClientSecret(secret).replace('hmac-sha256', 'sha256')]) {
      expect(verifyClientSecret(secret, stored)).toBe(false);
    }
    expect(verifyClientSecret(secret, UNKNOWN_CLIENT_SECRET_HASH)).toBe(false);
  });
});
