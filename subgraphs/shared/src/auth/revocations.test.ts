import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisServer } from '../../../../scripts/lib/local-services';
import { signTestToken } from '../../../../test/kit/tokens';
import { streamKey } from '../events/outbox';
import { createLogger, type Logger } from '../logger';
import { createRedis, waitForRedis } from '../redis';
import {
  accountSessionsEnded, delegationEnded, REVOCATION_TTL_MS, RevocationList, sessionEnded, startRevocationList, type RevocationEvent,
} from './revocations';
import { DelegationScope, Role } from './roles';
import { TOKEN_ALGORITHM, TokenVerifier } from './tokens';

const silent = createLogger({ service: 'test', level: 'silent' });

/** A logger that keeps what it is told, to check that the list says what it must (loudly, when full). */
function recordingLog(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => { lines.push({ level, msg, fields }); };
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** A clock the test moves. */
function aClock(start = Date.parse('2026-12-01T08:00:00.000Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

describe('the revocation list (in memory)', () => {
  it('refuses a token whose session ended, and only that session\'s', () => {
    const clock = aClock();
    const list = new RevocationList({ log: silent, now: clock.now });
    const [accountId, ended, other] = [randomUUID(), randomUUID(), randomUUID()];
    list.note(sessionEnded(ended, accountId));
    const iat = seconds(clock.now()) - 60;
    expect(list.refusal({ accountId, sessionId: ended, issuedAtSeconds: iat })).toBe('SESSION_ENDED');
    expect(list.refusal({ accountId, sessionId: ended.toUpperCase(), issuedAtSeconds: iat })).toBe('SESSION_ENDED');
    expect(list.refusal({ accountId, sessionId: other, issuedAtSeconds: iat })).toBeNull();
    expect(list.refusal({ accountId, issuedAtSeconds: iat })).toBeNull();
  });

  it('refuses, after an account\'s sessions ended, the tokens issued surely before, but the excepted session\'s and those of a login in the same second', () => {
    const clock = aClock(Date.parse('2026-12-01T08:00:00.700Z'));
    const list = new RevocationList({ log: silent, now: clock.now });
    const [accountId, kept, ended, later] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    list.note(accountSessionsEnded(accountId, new Date(clock.now()), kept));
    const at = seconds(clock.now());
    const table: [string, { sessionId?: string; issuedAtSeconds: number }, string | null][] = [
      ['a session ended, issued a minute before', { sessionId: ended, issuedAtSeconds: at - 60 }, 'SESSION_ENDED'],
      ['a session ended, issued the second before', { sessionId: ended, issuedAtSeconds: at - 1 }, 'SESSION_ENDED'],
      ['a token naming no session, issued before', { issuedAtSeconds: at - 60 }, 'SESSION_ENDED'],
      ['the excepted session (a password changed from it)', { sessionId: kept, issuedAtSeconds: at - 60 }, null],
      ['a login in the same second (iat is whole seconds)', { sessionId: later, issuedAtSeconds: at }, null],
      ['a login after', { sessionId: later, issuedAtSeconds: at + 1 }, null],
    ];
    expect(table.map(([label, token]) => [label, list.refusal({ accountId, ...token })])).toEqual(table.map(([label, , reason]) => [label, reason]));
    // Another account is not concerned.
    expect(list.refusal({ accountId: randomUUID(), sessionId: ended, issuedAtSeconds: at - 60 })).toBeNull();
  });

  it('keeps the excepted sessions of several password changes, and lets a cut that keeps none cover the earlier ones', () => {
    const clock = aClock();
    const list = new RevocationList({ log: silent, now: clock.now });
    const [accountId, first, second] = [randomUUID(), randomUUID(), randomUUID()];
    const before = seconds(clock.now()) - 60;
    list.note(accountSessionsEnded(accountId, new Date(clock.now()), first));
    clock.advance(5_000);
    list.note(accountSessionsEnded(accountId, new Date(clock.now()), second));
    // Each change ended the other's session (its own keeps going).
    expect(list.refusal({ accountId, sessionId: first, issuedAtSeconds: before })).toBe('SESSION_ENDED');
    expect(list.refusal({ accountId, sessionId: second, issuedAtSeconds: before })).toBe('SESSION_ENDED');
    // A token of `second` issued between the two changes: the second change kept it.
    expect(list.refusal({ accountId, sessionId: second, issuedAtSeconds: seconds(clock.now()) - 2 })).toBeNull();
    clock.advance(5_000);
    list.note(accountSessionsEnded(accountId, new Date(clock.now())));
    expect(list.refusal({ accountId, sessionId: second, issuedAtSeconds: seconds(clock.now()) - 2 })).toBe('SESSION_ENDED');
    expect(list.size().accounts).toBe(1);
  });

  it('refuses a token acting under an ended delegation with DELEGATION_ENDED', () => {
    const list = new RevocationList({ log: silent });
    const delegationId = randomUUID();
    list.note(delegationEnded(delegationId));
    const token = { accountId: randomUUID(), sessionId: randomUUID(), issuedAtSeconds: seconds(Date.now()) };
    expect(list.refusal({ ...token, delegationId })).toBe('DELEGATION_ENDED');
    expect(list.refusal({ ...token, delegationId: randomUUID() })).toBeNull();
    expect(list.refusal({ ...token, delegationId: null })).toBeNull();
  });

  it('forgets each entry 16 minutes after it was seen (every token it concerns has expired by then)', () => {
    const clock = aClock();
    const list = new RevocationList({ log: silent, now: clock.now });
    const [accountId, sessionId, delegationId] = [randomUUID(), randomUUID(), randomUUID()];
    const iat = seconds(clock.now()) - 5;
    list.note(sessionEnded(sessionId, accountId));
    list.note(accountSessionsEnded(accountId, new Date(clock.now())));
    list.note(delegationEnded(delegationId));
    expect(list.size()).toEqual({ sessions: 1, accounts: 1, delegations: 1 });
    clock.advance(REVOCATION_TTL_MS - 1);
    expect(list.refusal({ accountId, sessionId, issuedAtSeconds: iat })).toBe('SESSION_ENDED');
    expect(list.refusal({ accountId, issuedAtSeconds: iat })).toBe('SESSION_ENDED');
    expect(list.refusal({ accountId: randomUUID(), issuedAtSeconds: iat, delegationId })).toBe('DELEGATION_ENDED');
    clock.advance(1);
    expect(list.refusal({ accountId, sessionId, issuedAtSeconds: iat })).toBeNull();
    expect(list.refusal({ accountId, issuedAtSeconds: iat })).toBeNull();
    expect(list.refusal({ accountId: randomUUID(), issuedAtSeconds: iat, delegationId })).toBeNull();
    expect(list.size()).toEqual({ sessions: 0, accounts: 0, delegations: 0 });
  });

  it('seeing an ending again keeps it 16 minutes from then; expired entries go first, live ones stay', () => {
    const clock = aClock();
    const list = new RevocationList({ log: silent, now: clock.now });
    const [a, b] = [randomUUID(), randomUUID()];
    list.note(sessionEnded(a, randomUUID()));
    clock.advance(10 * 60_000);
    list.note(sessionEnded(b, randomUUID()));
    list.note(sessionEnded(a, randomUUID()));
    clock.advance(10 * 60_000);
    expect(list.size().sessions).toBe(2);
    expect(list.refusal({ accountId: randomUUID(), sessionId: a, issuedAtSeconds: 0 })).toBe('SESSION_ENDED');
    clock.advance(6 * 60_000);
    expect(list.size().sessions).toBe(0);
  });

  it('holds at most its cap of each kind: the oldest go first, and the log says so loudly (once a minute)', () => {
    const clock = aClock();
    const log = recordingLog();
    const list = new RevocationList({ log, now: clock.now, maxEntries: 3 });
    const sessions = Array.from({ length: 5 }, () => randomUUID());
    for (const sessionId of sessions) list.note(sessionEnded(sessionId, randomUUID()));
    expect(list.size().sessions).toBe(3);
    const refused = sessions.map((sessionId) => list.refusal({ accountId: randomUUID(), sessionId, issuedAtSeconds: 0 }));
    expect(refused).toEqual([null, null, 'SESSION_ENDED', 'SESSION_ENDED', 'SESSION_ENDED']);
    const errors = () => log.lines.filter((l) => l.level === 'error');
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatchObject({ msg: expect.stringMatching(/revocation list full/), fields: { maxEntries: 3, evictedSoFar: 1 } });
    // Delegations and accounts have caps of their own: sessions filling up pushes none of them out.
    for (let i = 0; i < 3; i++) list.note(delegationEnded(randomUUID()));
    expect(list.size()).toEqual({ sessions: 3, accounts: 0, delegations: 3 });
    clock.advance(60_000);
    list.note(sessionEnded(randomUUID(), randomUUID()));
    expect(errors()).toHaveLength(2);
    expect(errors()[1].fields).toMatchObject({ evictedSoFar: 3 });
  });

  it('ignores events of other types, and logs and ignores malformed ones', () => {
    const log = recordingLog();
    const list = new RevocationList({ log });
    list.note({ type: 'dossier.parties', payload: { dossierId: randomUUID() } });
    list.note({ type: 'session.ended', payload: { accountId: randomUUID() } });
    list.note({ type: 'account.sessionsEnded', payload: { accountId: randomUUID(), at: 'yesterday' } });
    list.note({ type: 'delegation.ended', payload: null });
    expect(list.size()).toEqual({ sessions: 0, accounts: 0, delegations: 0 });
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.fields?.type)).toEqual(['session.ended', 'account.sessionsEnded', 'delegation.ended']);
  });
});

describe('the token verifier with a revocation list', () => {
  it('refuses, after the signature checks, a token of an ended session or delegation: UNAUTHENTICATED with the reason', async () => {
    const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: TOKEN_ALGORITHM, use: 'sig' }] };
    const list = new RevocationList({ log: silent });
    const verifier = new TokenVerifier({ jwks }, 'national-identity-graph', { revocations: list });
    const sign = (claims: Parameters<typeof signTestToken>[1], extra: Record<string, unknown> = {}) => signTestToken({ privateKey, kid: 'k1', issuer: 'national-identity-graph' }, claims, { claims: extra });
    const [accountId, sessionId, delegationId] = [randomUUID(), randomUUID(), randomUUID()];
    const token = await sign({ role: Role.CITIZEN, accountId }, { sid: sessionId });
    const acting = await sign({ role: Role.CITIZEN, accountId, actingFor: { organisationId: randomUUID(), delegationId, scopes: [DelegationScope.PAY_FEES] } }, { sid: randomUUID() });
    expect(await verifier.verify(token)).toMatchObject({ accountId, sessionId });
    expect((await verifier.verify(acting)).actingFor?.delegationId).toBe(delegationId);

    list.note(sessionEnded(sessionId, accountId));
    list.note(delegationEnded(delegationId));
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' } });
    await expect(verifier.verify(acting)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'DELEGATION_ENDED' } });
    // A forged token naming an ended session is just invalid: the list is consulted only for genuine tokens.
    const forged = await signTestToken({ privateKey: (await generateKeyPair(TOKEN_ALGORITHM)).privateKey, kid: 'k1', issuer: 'national-identity-graph' }, { role: Role.CITIZEN, accountId }, { claims: { sid: sessionId } });
    const refusal = await verifier.verify(forged).catch((error: { extensions: Record<string, unknown> }) => error.extensions);
    expect(refusal).toEqual({ code: 'UNAUTHENTICATED' });
  });
});

describe('following identity\'s event stream (real Redis)', () => {
  let redis: Redis;
  const keyPrefix = `test:${randomBytes(4).toString('hex')}:`;
  const key = streamKey(keyPrefix, 'identity');
  const add = (event: RevocationEvent, id = '*') => redis.xadd(key, id, 'id', '1', 'type', event.type, 'payload', JSON.stringify(event.payload));
  const ended = (list: RevocationList, sessionId: string) => list.refusal({ accountId: randomUUID(), sessionId, issuedAtSeconds: 0 });

  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'), silent, 'revocations-test');
    await waitForRedis(redis);
  });
  afterAll(() => redis?.disconnect());

  it('starts from the last access-token lifetime (what ended before is known at once), then follows new events within a second', async () => {
    const [tooOld, recent, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    await add(sessionEnded(tooOld, randomUUID()), `${Date.now() - 20 * 60_000}-0`);
    await add(sessionEnded(recent, randomUUID()), `${Date.now() - 10 * 60_000}-0`);
    const list = await startRevocationList(inject('redisUrl'), { keyPrefix, log: silent, name: 'follower' });
    try {
      // Known as soon as the start resolves: a new process refuses what was ended before it started.
      expect(ended(list, recent)).toBe('SESSION_ENDED');
      expect(ended(list, tooOld)).toBeNull();
      const started = Date.now();
      await add(sessionEnded(fresh, randomUUID()));
      await expect.poll(() => ended(list, fresh), { timeout: 1_000, interval: 10 }).toBe('SESSION_ENDED');
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await list.stop();
    }
  });

  it('reads the stream in batches at start, however many endings there are', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const sessions = Array.from({ length: 2_500 }, () => randomUUID());
    const pipeline = redis.pipeline();
    for (const sessionId of sessions) pipeline.xadd(streamKey(prefix, 'identity'), '*', 'id', '1', 'type', 'session.ended', 'payload', JSON.stringify({ sessionId, accountId: randomUUID() }));
    await pipeline.exec();
    const list = await startRevocationList(inject('redisUrl'), { keyPrefix: prefix, log: silent, name: 'batches' });
    try {
      expect(list.size().sessions).toBe(2_500);
    } finally {
      await list.stop();
    }
  });

  it('without Redis configured: an empty list and a warning that says so', async () => {
    const log = recordingLog();
    const list = await startRevocationList(undefined, { keyPrefix, log, name: 'nothing' });
    expect(list.size()).toEqual({ sessions: 0, accounts: 0, delegations: 0 });
    expect(log.lines).toEqual([{ level: 'warn', msg: expect.stringMatching(/REDIS_URL is not set.*accepted until they expire/), fields: undefined }]);
    await list.stop();
  });

  it('with Redis unreachable at start: starts at once with an empty list, warns, and fails no verification', async () => {
    const log = recordingLog();
    const started = Date.now();
    // Nothing listens on port 1.
    const list = await startRevocationList('redis://127.0.0.1:1', { keyPrefix, log, name: 'nowhere' });
    try {
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(ended(list, randomUUID())).toBeNull();
      expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([expect.stringMatching(/cannot be read; keeping the list as it is and retrying/)]);
    } finally {
      await list.stop();
    }
  });

  it('when Redis stops: keeps what it has, fails no verification, says so once, and reads on when Redis is back', async () => {
    const server = await startRedisServer();
    const port = Number(new URL(server.url).port);
    const writer = createRedis(server.url, silent, 'writer');
    const log = recordingLog();
    let restarted: Awaited<ReturnType<typeof startRedisServer>> | undefined;
    const started = Date.now();
    const list = await startRevocationList(server.url, { keyPrefix, log, name: 'doomed', retryMs: 100, blockMs: 200 });
    try {
      expect(Date.now() - started).toBeLessThan(2_000);
      const [before, during] = [randomUUID(), randomUUID()];
      await waitForRedis(writer);
      await writer.xadd(key, '*', 'type', 'session.ended', 'payload', JSON.stringify({ sessionId: before, accountId: randomUUID() }));
      await expect.poll(() => ended(list, before), { timeout: 2_000, interval: 10 }).toBe('SESSION_ENDED');

      await server.stop();
      await expect.poll(() => log.lines.filter((l) => l.msg.includes('cannot be read')).length, { timeout: 3_000, interval: 20 }).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Still one warning for the whole outage, and the list still refuses what it knew.
      expect(log.lines.filter((l) => l.msg.includes('cannot be read'))).toHaveLength(1);
      expect(ended(list, before)).toBe('SESSION_ENDED');
      expect(ended(list, during)).toBeNull();

      // Redis is back (empty: nothing was persisted); an ending announced now is read.
      restarted = await startRedisServer({ port });
      await waitForRedis(writer, 5_000);
      await writer.xadd(key, '*', 'type', 'session.ended', 'payload', JSON.stringify({ sessionId: during, accountId: randomUUID() }));
      await expect.poll(() => ended(list, during), { timeout: 8_000, interval: 20 }).toBe('SESSION_ENDED');
      expect(log.lines.some((l) => l.msg.includes('readable again'))).toBe(true);
      expect(ended(list, before)).toBe('SESSION_ENDED');
    } finally {
      await list.stop();
      writer.disconnect();
      await server.stop();
      await restarted?.stop();
    }
  });
});
