import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../../../test/kit/stack';
import { Cache, createLogger, createRedis, RateLimiter, Role, waitForRedis, type Database } from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import type { CachedAccount } from '../accounts/account.loader';
import { hashPassword } from '../accounts/password-hash';
import { openIdentityDatabase } from '../database/data-source';
import { OtpChallenge, OtpPurpose } from '../otp/otp-challenge.entity';
import { OTP_SENDS_PER_PHONE, OtpService } from '../otp/otp.service';
import { SessionService } from '../sessions/session.service';
import { generateSigningKeyPem, loadSigningKey } from '../sessions/signing-key';
import type { SmsSender } from '../sms/sms-sender';
import { PasswordService } from './password.service';

const log = createLogger({ service: 'test', level: 'silent' });

describe('password reset requests whose answer must not tell anything', () => {
  let db: Database;
  let redis: Redis;
  let otp: OtpService;
  let service: PasswordService;
  let limiter: RateLimiter;
  const sent: { phone: string; text: string }[] = [];
  const sms: SmsSender = { send: async (phone, text) => { sent.push({ phone, text }); } };
  let ip = 0;
  const nextIp = () => `198.51.100.${++ip}`;

  beforeAll(async () => {
    db = await openIdentityDatabase(await createTestDatabase(), log);
    redis = createRedis(inject('redisUrl'), log, 'password-test');
    await waitForRedis(redis);
    const prefix = `pw:${randomBytes(4).toString('hex')}:`;
    limiter = new RateLimiter(redis, prefix);
    otp = new OtpService(db.dataSource, sms, limiter, 'x'.repeat(32), undefined, log);
    const sessions = new SessionService(db.dataSource, await loadSigningKey(await generateSigningKeyPem()), 'national-identity-graph');
    service = new PasswordService(db.dataSource, otp, sessions, limiter, new Cache<CachedAccount>(redis, 'identity:account:v2', { ttlSeconds: 60, log, keyPrefix: prefix }), log);
  });
  afterAll(async () => { await db?.dataSource.destroy(); redis?.disconnect(); });

  async function anAccount(phone: string): Promise<Account> {
    const repo = db.dataSource.getRepository(Account);
    const number = `0011900${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const account = repo.create({
      kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: number, personalIdNumber: number, fullName: 'Lê Văn An', dateOfBirth: '1990-01-01',
      gender: null, phone, email: null, passwordHash: await hashPassword('Sao-Mai-2026!'), level: AssuranceLevel.LEVEL_2, status: AccountStatus.ACTIVE,
      verificationPostalPointCode: null, postalPointCode: null, agencyCode: null,
    });
    await repo.insert(account);
    return account;
  }

  const challenge = (id: string) => db.dataSource.getRepository(OtpChallenge).findOneByOrFail({ id });

  it('a phone at its SMS limit: the same answer, no SMS, a challenge no code matches; a resend answers alike and sends nothing', async () => {
    const phone = '+84911000001';
    const account = await anAccount(phone);
    for (let i = 0; i < OTP_SENDS_PER_PHONE.limit; i++) await otp.reserveSend(phone);
    const before = sent.length;
    const answer = await service.requestReset(account.username, nextIp());
    expect(Object.keys(answer)).toEqual(['challengeId', 'expiresAt']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.length).toBe(before);
    expect(await challenge(answer.challengeId)).toMatchObject({ accountId: account.id, decoy: true, purpose: OtpPurpose.PASSWORD_RESET });
    const resent = await otp.resend(answer.challengeId);
    expect(resent.id).toBe(answer.challengeId);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.length).toBe(before);
  });

  it('a real request whose phone reaches its limit on a resend: the answer is the same, no SMS, and the code sent before still works', async () => {
    const phone = '+84911000002';
    const account = await anAccount(phone);
    const answer = await service.requestReset(account.username, nextIp());
    await new Promise((resolve) => setImmediate(resolve));
    const code = /(\d{6})/.exec(sent.at(-1)!.text)![1];
    for (let i = 1; i < OTP_SENDS_PER_PHONE.limit; i++) await otp.reserveSend(phone);
    const before = sent.length;
    await otp.resend(answer.challengeId);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.length).toBe(before);
    await expect(service.reset(answer.challengeId, code, 'Hoa-Sen-2027!', nextIp())).resolves.toBe(true);
  });

  it('a username nobody has: a decoy that belongs to no account, counted under a phone of its own', async () => {
    const before = sent.length;
    const answer = await service.requestReset('001190555555', nextIp());
    const stored = await challenge(answer.challengeId);
    expect(stored).toMatchObject({ accountId: null, claimId: null, decoy: true });
    expect(stored.phone).toMatch(/^decoy:[0-9a-f]{16}$/);
    await otp.resend(answer.challengeId);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.length).toBe(before);
    // Only a decoy may belong to nobody, and only a password-reset one (the database says so too).
    await expect(otp.create(db.dataSource.manager, { nobody: true }, 'x', OtpPurpose.PASSWORD_RESET)).rejects.toThrow(/decoy/);
    await expect(otp.create(db.dataSource.manager, { nobody: true }, 'x', OtpPurpose.PHONE_VERIFICATION, { decoy: true })).rejects.toThrow(/otp_challenge_has_one_owner/);
  });
});
