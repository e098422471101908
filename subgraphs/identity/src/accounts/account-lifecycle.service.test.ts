import { randomBytes, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisServer } from '../../../../scripts/lib/local-services';
import { createTestDatabase } from '../../../../test/kit/stack';
import { Cache, createLogger, createRedis, RateLimiter, Role, waitForRedis, type Database, type Principal } from '../../../shared/src';
import { AccessLogRecorder } from '../access-log/access-log.recorder';
import { openIdentityDatabase } from '../database/data-source';
import { generateSigningKeyPem, loadSigningKey } from '../sessions/signing-key';
import { SessionService } from '../sessions/session.service';
import { lockFrom, reasonProblems, AccountLifecycleService } from './account-lifecycle.service';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from './account.entity';
import type { CachedAccount } from './account.loader';
import { LOGIN_ATTEMPTS_PER_USERNAME } from './account.service';
import { AccountEvent } from './account-status';

const log = createLogger({ service: 'test', level: 'silent' });
const admin: Principal = { accountId: randomUUID(), role: Role.ADMINISTRATOR, level: 2 };

describe('reasons and locks, as plain rules', () => {
  it.each<[string, string | undefined]>([
    ['', 'reason'],
    ['   \n ', 'reason'],
    ['x', undefined],
    ['x'.repeat(500), undefined],
    [`  ${'x'.repeat(500)}  `, undefined],
    ['x'.repeat(501), 'reason'],
    // Characters, not UTF-16 units: 500 Vietnamese letters or emoji are 500.
    ['ệ'.repeat(500), undefined],
    ['😀'.repeat(500), undefined],
  ])('reason of %j → problem on %s', (reason, field) => {
    expect(reasonProblems(reason).map((p) => p.field)[0]).toBe(field);
  });

  it.each<[number | null, boolean]>([[null, false], [1, false], [4, false], [5, true], [6, true]])('%s failed logins → locked: %s', (count, locked) => {
    const now = new Date('2026-11-30T08:00:00Z');
    const lock = lockFrom(count === null ? null : { count, retryAfterSeconds: 600 }, now);
    expect(!!lock).toBe(locked);
    if (lock) expect(lock.until.toISOString()).toBe('2026-11-30T08:10:00.000Z');
  });
});

describe('the account life cycle on PostgreSQL and Redis', () => {
  let db: Database;
  let redis: Redis;
  let sessions: SessionService;
  let limiter: RateLimiter;
  let cache: Cache<CachedAccount>;
  const prefix = `lifecycle:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    db = await openIdentityDatabase(await createTestDatabase(), log);
    redis = createRedis(inject('redisUrl'), log, 'lifecycle-test');
    await waitForRedis(redis);
    limiter = new RateLimiter(redis, prefix);
    cache = new Cache<CachedAccount>(redis, 'identity:account:v2', { ttlSeconds: 60, log, keyPrefix: prefix });
    sessions = new SessionService(db.dataSource, await loadSigningKey(await generateSigningKeyPem()), 'national-identity-graph');
  });
  afterAll(async () => { await db?.dataSource.destroy(); redis?.disconnect(); });

  async function anAccount(status = AccountStatus.ACTIVE): Promise<Account> {
    const repo = db.dataSource.getRepository(Account);
    const number = `0011900${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const account = repo.create({
      kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: number, personalIdNumber: number, fullName: 'Trần Thị Mai',
      dateOfBirth: '1990-01-01', gender: null, phone: '+84912345678', email: null, passwordHash: 'x', level: AssuranceLevel.LEVEL_2,
      status, verificationPostalPointCode: null, postalPointCode: null, agencyCode: null,
    });
    await repo.insert(account);
    return repo.findOneByOrFail({ id: account.id });
  }

  const count = async (sql: string, id: string) => (await db.dataSource.query(sql, [id]))[0].n as number;
  const historyRows = (id: string) => count(`SELECT count(*)::int AS n FROM identity.account_status_history WHERE account_id = $1`, id);
  const logRows = (id: string) => count(`SELECT count(*)::int AS n FROM identity.access_log WHERE account_id = $1`, id);
  const liveTokens = (id: string) => count(`SELECT count(*)::int AS n FROM identity.refresh_tokens WHERE account_id = $1 AND revoked_at IS NULL`, id);

  it('writes the change, its history row, the access-log entry and the end of every session in one transaction: a failure leaves nothing', async () => {
    const account = await anAccount();
    await sessions.start(db.dataSource.manager, account);
    await sessions.start(db.dataSource.manager, account);
    const failingRecorder = new AccessLogRecorder();
    failingRecorder.record = async () => { throw new Error('the access log is full'); };
    const failing = new AccountLifecycleService(db.dataSource, sessions, failingRecorder, cache, limiter, log);
    await expect(failing.change(admin, account.id, AccountEvent.SUSPEND, 'Reported stolen')).rejects.toThrow(/access log is full/);
    expect(await db.dataSource.getRepository(Account).findOneByOrFail({ id: account.id })).toMatchObject({ status: AccountStatus.ACTIVE, statusReason: null, statusChangedAt: null });
    expect([await historyRows(account.id), await logRows(account.id), await liveTokens(account.id)]).toEqual([0, 0, 2]);

    const service = new AccountLifecycleService(db.dataSource, sessions, new AccessLogRecorder(), cache, limiter, log);
    const suspended = await service.change(admin, account.id, AccountEvent.SUSPEND, '  Reported stolen  ');
    expect(suspended).toMatchObject({ status: AccountStatus.SUSPENDED, statusReason: 'Reported stolen' });
    expect(suspended.statusChangedAt).toBeInstanceOf(Date);
    expect([await historyRows(account.id), await logRows(account.id), await liveTokens(account.id)]).toEqual([1, 1, 0]);
    const [row] = await db.dataSource.query(`SELECT * FROM identity.account_status_history WHERE account_id = $1`, [account.id]);
    expect(row).toMatchObject({ event: 'SUSPEND', from_status: 'ACTIVE', to_status: 'SUSPENDED', reason: 'Reported stolen', changed_by_account_id: admin.accountId, changed_by_role: 'ADMINISTRATOR' });
    expect(new Date(row.occurred_at).getTime()).toBe(suspended.statusChangedAt!.getTime());
  });

  it('a suspension racing refreshes leaves no live session behind, and nothing deadlocks', async () => {
    const service = new AccountLifecycleService(db.dataSource, sessions, new AccessLogRecorder(), cache, limiter, log);
    for (let round = 0; round < 5; round++) {
      const account = await anAccount();
      const started = await Promise.all(Array.from({ length: 6 }, () => sessions.start(db.dataSource.manager, account)));
      const outcomes = await Promise.allSettled([
        ...started.slice(0, 3).map((s) => sessions.refresh(s.refreshToken)),
        service.change(admin, account.id, AccountEvent.SUSPEND, 'Race'),
        ...started.slice(3).map((s) => sessions.refresh(s.refreshToken)),
      ]);
      expect(outcomes[3].status).toBe('fulfilled');
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      }
      expect(await liveTokens(account.id)).toBe(0);
    }
  });

  it('refuses an illegal transition with CONFLICT and changes nothing', async () => {
    const account = await anAccount(AccountStatus.REVOKED);
    const service = new AccountLifecycleService(db.dataSource, sessions, new AccessLogRecorder(), cache, limiter, log);
    for (const event of [AccountEvent.SUSPEND, AccountEvent.REINSTATE, AccountEvent.REVOKE] as const) {
      await expect(service.change(admin, account.id, event, 'Again')).rejects.toMatchObject({ extensions: { code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION', status: 'REVOKED', event } });
    }
    expect([await historyRows(account.id), await logRows(account.id)]).toEqual([0, 0]);
  });

  it('keeps the history append-only in the database itself', async () => {
    for (const sql of [`UPDATE identity.account_status_history SET reason = 'x'`, `DELETE FROM identity.account_status_history`, `TRUNCATE identity.account_status_history`]) {
      await expect(db.dataSource.query(sql)).rejects.toThrow(/append-only/);
    }
  });

  it('reads LOCKED (with lockedUntil) from the login limiter, for many accounts in one Redis round trip', async () => {
    const accounts = await Promise.all([anAccount(), anAccount(), anAccount(AccountStatus.SUSPENDED), anAccount(AccountStatus.PENDING_IN_PERSON_VERIFICATION)]);
    for (const account of [accounts[0], accounts[2], accounts[3]]) {
      for (let i = 0; i < LOGIN_ATTEMPTS_PER_USERNAME.limit; i++) await limiter.consume(LOGIN_ATTEMPTS_PER_USERNAME, account.username, 'locked');
    }
    const service = new AccountLifecycleService(db.dataSource, sessions, new AccessLogRecorder(), cache, limiter, log);
    let pipelines = 0;
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<typeof pipeline>) => { pipelines++; return pipeline(...args); }) as typeof redis.pipeline;
    const request = {};
    try {
      const statuses = await Promise.all(accounts.map((a) => service.statusOf(a, request)));
      const until = await Promise.all(accounts.map((a) => service.lockedUntil(a, request)));
      // Locked only where the account could otherwise log in; a suspension says more than a lock.
      expect(statuses).toEqual([AccountStatus.LOCKED, AccountStatus.ACTIVE, AccountStatus.SUSPENDED, AccountStatus.LOCKED]);
      expect(until.map((u) => u !== null)).toEqual([true, false, false, true]);
      expect(until[0]!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
      expect(until[0]!.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 1000);
      expect(pipelines).toBe(1);
    } finally {
      redis.pipeline = pipeline as typeof redis.pipeline;
    }
    await limiter.reset(LOGIN_ATTEMPTS_PER_USERNAME, accounts[0].username);
    expect(await service.statusOf(accounts[0], {})).toBe(AccountStatus.ACTIVE);
  });

  it('peeks without counting, in memory as in Redis', async () => {
    const rule = { name: 'peek-test', limit: 3, windowSeconds: 60 };
    for (const peeker of [limiter, new RateLimiter(undefined, 'mem:')]) {
      await peeker.consume(rule, 'a', 'x');
      await peeker.consume(rule, 'a', 'x');
      expect(await peeker.peek(rule, ['a', 'never'])).toEqual([{ count: 2, retryAfterSeconds: expect.any(Number) }, null]);
      expect(await peeker.peek(rule, ['a'])).toEqual([expect.objectContaining({ count: 2 })]);
      expect((await peeker.peek(rule, ['a']))[0]!.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(await peeker.peek(rule, [])).toEqual([]);
    }
  });

  it('shows the stored status when Redis is down (reading a status does not fail), while peek itself fails closed', async () => {
    const server = await startRedisServer();
    const doomed = createRedis(server.url, log, 'doomed');
    try {
      await waitForRedis(doomed);
      const downLimiter = new RateLimiter(doomed, prefix);
      const account = await anAccount();
      for (let i = 0; i < 5; i++) await downLimiter.consume(LOGIN_ATTEMPTS_PER_USERNAME, account.username, 'locked');
      const service = new AccountLifecycleService(db.dataSource, sessions, new AccessLogRecorder(), cache, downLimiter, log);
      expect(await service.statusOf(account, {})).toBe(AccountStatus.LOCKED);
      await server.stop();
      await expect(downLimiter.peek(LOGIN_ATTEMPTS_PER_USERNAME, [account.username])).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
      expect(await service.statusOf(account, {})).toBe(AccountStatus.ACTIVE);
      expect(await service.lockedUntil(account, {})).toBeNull();
    } finally {
      doomed.disconnect();
      await server.stop();
    }
  });
});
