import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signTestToken } from '../../../../test/kit/tokens';
import { createLogger } from '../logger';
import { accountSessionsEnded, RevocationList, sessionEnded } from './revocations';
import { Role } from './roles';
import { TOKEN_ALGORITHM, TokenVerifier } from './tokens';

/** A verifier that counts how often it fetches a key, i.e. checks a signature. */
async function aVerifier() {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: TOKEN_ALGORITHM, use: 'sig' }] };
  const list = new RevocationList({ log: createLogger({ service: 'test', level: 'silent' }) });
  const verifier = new TokenVerifier({ jwks }, 'national-identity-graph', { revocations: list });
  const keys = (verifier as unknown as { keys: (...args: unknown[]) => unknown });
  const fetchKey = keys.keys;
  let checks = 0;
  keys.keys = (...args: unknown[]) => { checks += 1; return fetchKey(...args); };
  const sign = (sessionId: string, accountId = randomUUID()) => signTestToken({ privateKey, kid: 'k1', issuer: 'national-identity-graph' }, { role: Role.CITIZEN, accountId }, { claims: { sid: sessionId } });
  return { verifier, list, sign, checks: () => checks };
}

describe('verified tokens kept in memory', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('checks a token\'s signature once, and still consults the revocation list at every use', async () => {
    const { verifier, list, sign, checks } = await aVerifier();
    const [sessionId, accountId] = [randomUUID(), randomUUID()];
    const token = await sign(sessionId, accountId);
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toEqual(first);
    expect(await verifier.verify(token)).toEqual(first);
    expect(checks()).toBe(1);
    list.note(sessionEnded(sessionId, accountId));
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' } });

    const other = await sign(randomUUID(), accountId);
    await verifier.verify(other);
    list.note(accountSessionsEnded(accountId, new Date(Date.now() + 2_000)));
    await expect(verifier.verify(other)).rejects.toMatchObject({ extensions: { reason: 'SESSION_ENDED' } });
  });

  it('never answers from memory past the token\'s expiry, and checks the signature again after a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { verifier, sign, checks } = await aVerifier();
    const token = await sign(randomUUID());
    await verifier.verify(token);
    vi.setSystemTime(Date.now() + 61_000);
    await verifier.verify(token);
    expect(checks()).toBe(2);
    // The test tokens live 300 s; past that (and jose's 30 s of tolerance) the token is expired, memory or not.
    vi.setSystemTime(Date.now() + 300_000);
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('keeps nothing of a token that fails: a tampered copy of a good token is refused every time', async () => {
    const { verifier, sign } = await aVerifier();
    const token = await sign(randomUUID());
    await verifier.verify(token);
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${p}.${s.slice(0, -4)}AAAA`;
    for (let i = 0; i < 3; i += 1) await expect(verifier.verify(tampered)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('hands out principals nobody can change for the next request', async () => {
    const { verifier, sign } = await aVerifier();
    const token = await sign(randomUUID());
    const principal = await verifier.verify(token);
    expect(() => { (principal as { role: Role }).role = Role.ADMINISTRATOR; }).toThrow();
    expect((await verifier.verify(token)).role).toBe(Role.CITIZEN);
  });
});
