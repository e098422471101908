import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/kit/stack';
import { createLogger, RevocationList, Role, type Database, type Principal } from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import { IDENTITY_SCHEMA, openIdentityDatabase } from '../database/data-source';
import { SessionEvents } from './session.events';
import { SessionService } from './session.service';
import { generateSigningKeyPem, loadSigningKey } from './signing-key';

const log = createLogger({ service: 'test', level: 'silent' });

describe('ended sessions are announced in their transaction, and noted by this process once it commits', () => {
  let db: Database;
  let list: RevocationList;
  let sessions: SessionService;

  beforeAll(async () => {
    db = await openIdentityDatabase(await createTestDatabase(), log);
    list = new RevocationList({ log });
    sessions = new SessionService(db.dataSource, await loadSigningKey(await generateSigningKeyPem()), 'national-identity-graph', undefined,
      new SessionEvents(IDENTITY_SCHEMA, { db: db.dataSource, list }));
  });
  afterAll(async () => { await db?.dataSource.destroy(); });

  async function anAccount(): Promise<Account> {
    const repo = db.dataSource.getRepository(Account);
    const number = `0011900${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const account = repo.create({
      kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: number, personalIdNumber: number, fullName: 'Lê Văn An', dateOfBirth: '1990-01-01',
      gender: null, phone: `+8491${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, email: null, passwordHash: 'scrypt$unused',
      level: AssuranceLevel.LEVEL_2, status: AccountStatus.ACTIVE, verificationPostalPointCode: null, postalPointCode: null, agencyCode: null,
    });
    await repo.insert(account);
    return account;
  }

  const startSession = (account: Account) => db.dataSource.transaction((manager) => sessions.start(manager, account));
  const principalOf = (account: Account, sessionId: string): Principal => ({ accountId: account.id, role: Role.CITIZEN, level: 2, sessionId });
  const outboxOf = async (accountId: string) => (await db.dataSource.query(
    `SELECT type, payload FROM identity.outbox WHERE payload->>'accountId' = $1 ORDER BY id`, [accountId])) as { type: string; payload: Record<string, unknown> }[];
  const refusal = (accountId: string, sessionId: string, issuedAtSeconds = Math.floor(Date.now() / 1000) - 60) => list.refusal({ accountId, sessionId, issuedAtSeconds });

  it('logout: session.ended in the outbox, and this process refuses the session as soon as logout returns', async () => {
    const account = await anAccount();
    const { sessionId } = await startSession(account);
    expect(refusal(account.id, sessionId)).toBeNull();
    expect(await sessions.logout(principalOf(account, sessionId))).toBe(true);
    expect(refusal(account.id, sessionId)).toBe('SESSION_ENDED');
    expect(await outboxOf(account.id)).toEqual([{ type: 'session.ended', payload: { sessionId, accountId: account.id } }]);
    // Logging out again ends nothing and announces nothing.
    expect(await sessions.logout(principalOf(account, sessionId))).toBe(false);
    expect(await outboxOf(account.id)).toHaveLength(1);
  });

  it('endAll: each session it ended and the account\'s cut, keeping the excepted session', async () => {
    const account = await anAccount();
    const [kept, ended] = [await startSession(account), await startSession(account)];
    const count = await db.dataSource.transaction((manager) => sessions.endAll(manager, account.id, kept.sessionId));
    expect(count).toBe(1);
    const events = await outboxOf(account.id);
    expect(events).toEqual([
      { type: 'session.ended', payload: { sessionId: ended.sessionId, accountId: account.id } },
      { type: 'account.sessionsEnded', payload: { accountId: account.id, at: expect.any(String), exceptSessionId: kept.sessionId } },
    ]);
    expect(refusal(account.id, ended.sessionId)).toBe('SESSION_ENDED');
    expect(refusal(account.id, kept.sessionId)).toBeNull();
  });

  it('a transaction that rolls back announces nothing, here or in the outbox', async () => {
    const account = await anAccount();
    const { sessionId } = await startSession(account);
    await expect(db.dataSource.transaction(async (manager) => {
      await sessions.endAll(manager, account.id);
      throw new Error('the suspension failed');
    })).rejects.toThrow('the suspension failed');
    expect(refusal(account.id, sessionId)).toBeNull();
    expect(refusal(account.id, randomUUID())).toBeNull();
    expect(await outboxOf(account.id)).toEqual([]);
  });

  it('inside the transaction, before its commit, the session is not yet refused (the change is not yet made)', async () => {
    const account = await anAccount();
    const { sessionId } = await startSession(account);
    let during: string | null = 'unchecked';
    await db.dataSource.transaction(async (manager) => {
      await sessions.endAll(manager, account.id);
      during = refusal(account.id, sessionId);
    });
    expect(during).toBeNull();
    expect(refusal(account.id, sessionId)).toBe('SESSION_ENDED');
  });
});
