import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, Role } from '../../../shared/src';
import { createTestDatabase } from '../../../../test/kit/stack';
import { openIdentityDatabase } from '../database/data-source';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import { AccessLogRecorder } from './access-log.recorder';
import { AccessAction, AccessorKind, AccessOutcome } from './access-log.entity';
import { AccessLogService } from './access-log.service';
import type { Database } from '../../../shared/src';

describe('the access log', () => {
  let db: Database;
  let accountId: string;

  beforeAll(async () => {
    db = await openIdentityDatabase(await createTestDatabase(), createLogger({ service: 'test', level: 'silent' }));
    const account = db.dataSource.getRepository(Account).create({
      kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: '001190123456', personalIdNumber: '001190123456', fullName: 'Trần Thị Mai',
      dateOfBirth: '1990-01-01', gender: null, phone: '+84912345678', email: null, passwordHash: 'x', level: AssuranceLevel.LEVEL_2,
      status: AccountStatus.ACTIVE, verificationPostalPointCode: null, postalPointCode: null, agencyCode: null,
    });
    await db.dataSource.getRepository(Account).insert(account);
    accountId = account.id;
    await new AccessLogRecorder().record(db.dataSource.manager, [1, 2, 3].map((n) => ({
      accountId, accessorKind: AccessorKind.PARTNER, accessorId: `partner-${n}`, accessorName: `Bank ${n}`,
      action: AccessAction.VERIFY_IDENTITY, purpose: 'Open an account', outcome: n === 2 ? AccessOutcome.REFUSED : AccessOutcome.ALLOWED, reason: n === 2 ? 'NO_CONSENT' : null,
    })));
  });
  afterAll(async () => { await db?.dataSource.destroy(); });

  it('is append-only in the database itself: UPDATE, DELETE and TRUNCATE are refused', async () => {
    for (const sql of [`UPDATE identity.access_log SET purpose = 'x'`, `DELETE FROM identity.access_log`, `TRUNCATE identity.access_log`]) {
      await expect(db.dataSource.query(sql)).rejects.toThrow(/append-only/);
    }
    expect((await db.dataSource.query(`SELECT count(*)::int AS n FROM identity.access_log`))[0].n).toBe(3);
  });

  it('is read by its holder, newest first, page by page; by nobody else but an administrator', async () => {
    const service = new AccessLogService(db.dataSource);
    const holder = { accountId, role: Role.CITIZEN, level: 2 as const };
    const first = await service.forAccount(holder, accountId, 2);
    expect(first.edges.map((e) => e.node.accessorName)).toEqual(['Bank 3', 'Bank 2']);
    const rest = await service.forAccount(holder, accountId, 2, first.pageInfo.endCursor);
    expect(rest.edges.map((e) => e.node.accessorName)).toEqual(['Bank 1']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect((await service.forAccount({ accountId: 'admin', role: Role.ADMINISTRATOR, level: 2 }, accountId)).edges).toHaveLength(3);
    for (const role of [Role.CITIZEN, Role.POSTAL_CLERK, Role.OFFICIAL, Role.PARTNER_BANK, Role.FINANCE]) {
      await expect(service.forAccount({ accountId: 'someone-else', role, level: 2 }, accountId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    }
    await expect(service.forAccount(null, accountId)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
