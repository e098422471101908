import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, Role, type Database, type Principal } from '../../../shared/src';
import { createTestDatabase } from '../../../../test/kit/stack';
import { openIdentityDatabase } from '../database/data-source';
import { Account, AccountKind, AccountStatus, AssuranceLevel, Gender } from '../accounts/account.entity';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { AccessLogEntry, AccessOutcome, AccessorKind } from '../access-log/access-log.entity';
import { AccessLogRecorder } from '../access-log/access-log.recorder';
import { generateSigningKeyPem, loadSigningKey } from '../sessions/signing-key';
import { IdentityQrService } from './identity-qr.service';
import { QrPayloadCodec } from './qr-payload';

const clerk = (level: 1 | 2 = 2): Principal => ({ accountId: randomUUID(), role: Role.POSTAL_CLERK, level, postalPointCode: '001-BC-0001' });
const official = (level: 1 | 2 = 2): Principal => ({ accountId: randomUUID(), role: Role.OFFICIAL, level, agencyCode: 'C06' });

describe('identity QR codes (service, real PostgreSQL, injected clock)', () => {
  let db: Database;
  let service: IdentityQrService;
  let clock = new Date('2026-03-01T08:00:00.000Z');
  const at = (seconds: number) => { clock = new Date(Date.parse('2026-03-01T08:00:00.000Z') + seconds * 1000); };

  async function aHolder(overrides: Partial<Account> = {}): Promise<{ account: Account; principal: Principal }> {
    const number = `00119${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
    const account = db.dataSource.getRepository(Account).create({
      kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: number, personalIdNumber: number, fullName: 'Trần Thị Mai',
      dateOfBirth: '1990-01-01', gender: Gender.FEMALE, phone: '+84912345678', email: 'mai@example.vn', passwordHash: 'x',
      level: AssuranceLevel.LEVEL_2, status: AccountStatus.ACTIVE, verificationPostalPointCode: null, postalPointCode: null, agencyCode: null,
      ...overrides,
    });
    await db.dataSource.getRepository(Account).insert(account);
    return { account, principal: { accountId: account.id, role: Role.CITIZEN, level: 2 } };
  }
  const logOf = (accountId: string) => db.dataSource.getRepository(AccessLogEntry).find({ where: { accountId }, order: { seq: 'ASC' } });
  const rowOf = async (payload: string) => (await db.dataSource.query(`SELECT * FROM identity.qr_codes WHERE id = $1`, [JSON.parse(Buffer.from(payload.split('.')[1], 'base64url').toString()).jti]))[0];

  beforeAll(async () => {
    db = await openIdentityDatabase(await createTestDatabase(), createLogger({ service: 'test', level: 'silent' }));
    service = new IdentityQrService(db.dataSource, new QrPayloadCodec(await loadSigningKey(await generateSigningKeyPem())), new AccessLogRecorder(), () => clock);
  });
  afterAll(async () => { await db?.dataSource.destroy(); });

  it('makes a code valid for 60 seconds from the injected clock, with an SVG, storing what it shares', async () => {
    const { account, principal } = await aHolder();
    at(0);
    const code = await service.create(principal, [IdentityAttribute.GENDER]);
    expect(code.expiresAt.toISOString()).toBe('2026-03-01T08:01:00.000Z');
    expect(code.svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(code.sharedAttributes).toEqual([IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH, IdentityAttribute.GENDER]);
    const row = await rowOf(code.payload);
    expect(row).toMatchObject({ account_id: account.id, shared_attributes: ['FULL_NAME', 'DATE_OF_BIRTH', 'GENDER'], used_at: null, verified_by_account_id: null });
    expect(row.created_at.toISOString()).toBe('2026-03-01T08:00:00.000Z');
  });

  it('stores the documents the holder chose, presents them to the one scan as references naming the holder, and logs them', async () => {
    const { account, principal } = await aHolder();
    at(0);
    const documentIds = [randomUUID(), randomUUID()];
    const code = await service.create(principal, [], documentIds.map((id) => id.toUpperCase()));
    expect(code.sharedDocumentIds).toEqual(documentIds);
    expect((await rowOf(code.payload)).shared_document_ids).toEqual(documentIds);
    const shown = await service.verify(official(), code.payload);
    expect(shown.documents).toEqual(documentIds.map((id) => ({ id, holderAccountId: account.id })));
    expect((await logOf(account.id)).map((e) => [e.outcome, e.attributes, e.documentIds])).toEqual([[AccessOutcome.ALLOWED, ['FULL_NAME', 'DATE_OF_BIRTH'], documentIds]]);

    const plain = await service.create(principal, []);
    expect(plain.sharedDocumentIds).toEqual([]);
    expect((await service.verify(clerk(), plain.payload)).documents).toEqual([]);
  });

  it('refuses documents that are not uuids, named twice or more than five (BAD_USER_INPUT), and makes no code', async () => {
    const { account, principal } = await aHolder();
    const id = randomUUID();
    for (const documentIds of [['not-a-uuid'], [id, id], Array.from({ length: 6 }, () => randomUUID())]) {
      await expect(service.create(principal, [], documentIds)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', problems: [{ field: 'documentIds' }] } });
    }
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM identity.qr_codes WHERE account_id = $1`, [account.id])).toEqual([{ n: 0 }]);
  });

  it('shows the holder at 59 seconds; at 60 and 61 seconds the code has expired (logged as refused)', async () => {
    const { account, principal } = await aHolder();
    at(0);
    const first = await service.create(principal, []);
    at(59);
    expect(await service.verify(official(), first.payload)).toMatchObject({ fullName: 'Trần Thị Mai', level: AssuranceLevel.LEVEL_2 });
    for (const seconds of [60, 61]) {
      at(0);
      const code = await service.create(principal, []);
      at(seconds);
      await expect(service.verify(clerk(), code.payload)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'QR_EXPIRED' } });
      expect((await rowOf(code.payload)).used_at).toBeNull();
    }
    expect((await logOf(account.id)).map((e) => [e.outcome, e.reason])).toEqual([[AccessOutcome.ALLOWED, null], [AccessOutcome.REFUSED, 'QR_EXPIRED'], [AccessOutcome.REFUSED, 'QR_EXPIRED']]);
  });

  it('lets exactly one of ten simultaneous scans through; the nine others are QR_USED, all ten in the holder\'s log', async () => {
    const { account, principal } = await aHolder();
    at(0);
    const code = await service.create(principal, [IdentityAttribute.PERSONAL_ID_NUMBER]);
    at(5);
    const scanners = Array.from({ length: 10 }, (_, i) => (i % 2 ? clerk() : official()));
    const results = await Promise.allSettled(scanners.map((s) => service.verify(s, code.payload)));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [scanners[i]] : []));
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.extensions.reason)).toEqual(Array(9).fill('QR_USED'));
    const row = await rowOf(code.payload);
    expect(row).toMatchObject({ verified_by_account_id: won[0].accountId, verified_by_role: won[0].role });
    expect(row.used_at.toISOString()).toBe('2026-03-01T08:00:05.000Z');
    const log = await logOf(account.id);
    expect(log.filter((e) => e.outcome === AccessOutcome.ALLOWED).map((e) => [e.accessorId, e.attributes])).toEqual([[won[0].accountId, ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH']]]);
    expect(log.filter((e) => e.outcome === AccessOutcome.REFUSED).map((e) => e.reason)).toEqual(Array(9).fill('QR_USED'));
    expect(await service.lastVerification(won[0].accountId, account.id)).toEqual(row.used_at);
    expect(await service.lastVerification(won[0].accountId, account.id, new Date('2026-03-01T08:00:06.000Z'))).toBeNull();
    const loser = scanners.find((s) => s !== won[0])!;
    expect(await service.lastVerification(loser.accountId, account.id)).toBeNull();
  });

  it('keeps a used code as it was: the database refuses to change it', async () => {
    const { principal } = await aHolder();
    at(0);
    const code = await service.create(principal, []);
    await service.verify(official(), code.payload);
    await expect(db.dataSource.query(`UPDATE identity.qr_codes SET used_at = NULL, verified_by_account_id = NULL, verified_by_role = NULL WHERE id = $1`, [(await rowOf(code.payload)).id])).rejects.toThrow(/final/);
  });

  it('refuses a code whose holder was suspended or revoked after making it, and logs the refusal', async () => {
    for (const status of [AccountStatus.SUSPENDED, AccountStatus.REVOKED]) {
      const { account, principal } = await aHolder();
      at(0);
      const code = await service.create(principal, []);
      await db.dataSource.getRepository(Account).update(account.id, { status });
      await expect(service.verify(official(), code.payload)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'QR_HOLDER_INACTIVE' } });
      expect((await rowOf(code.payload)).used_at).toBeNull();
      expect((await logOf(account.id)).map((e) => [e.accessorKind, e.outcome, e.reason, e.attributes])).toEqual([[AccessorKind.OFFICIAL, AccessOutcome.REFUSED, 'QR_HOLDER_INACTIVE', []]]);
    }
  });

  it('is made only by the holder of an active level-2 citizen or foreigner account, as the registry says now', async () => {
    const refused = [
      ['level 1 in the registry', await aHolder({ level: AssuranceLevel.LEVEL_1, status: AccountStatus.PENDING_IN_PERSON_VERIFICATION })],
      ['suspended', await aHolder({ status: AccountStatus.SUSPENDED })],
      ['revoked', await aHolder({ status: AccountStatus.REVOKED })],
      ['an organisation', await aHolder({ kind: AccountKind.ORGANISATION })],
    ] as const;
    for (const [why, { principal }] of refused) {
      await expect(service.create(principal, []), why).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN', action: 'identityQr.create' } });
    }
    const { account, principal } = await aHolder();
    await expect(service.create({ ...principal, level: 1 }, [])).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    for (const role of [Role.POSTAL_CLERK, Role.OFFICIAL, Role.PARTNER_BANK, Role.FINANCE, Role.ADMINISTRATOR]) {
      await expect(service.create({ ...principal, role }, []), role).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    }
    await expect(service.create({ accountId: 'not-a-uuid', role: Role.CITIZEN, level: 2 }, [])).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(service.create(null, [])).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM identity.qr_codes WHERE account_id = $1`, [account.id])).toEqual([{ n: 0 }]);
  });

  it('is scanned only by a level-2 official or postal clerk bound to an agency or postal point; others consume nothing', async () => {
    const { account, principal } = await aHolder();
    at(0);
    const code = await service.create(principal, []);
    const refused: [string, Principal | null, string][] = [
      ['level-1 clerk', clerk(1), 'FORBIDDEN'],
      ['level-1 official', official(1), 'FORBIDDEN'],
      ['clerk of no postal point', { accountId: randomUUID(), role: Role.POSTAL_CLERK, level: 2 }, 'FORBIDDEN'],
      ['official of no agency', { accountId: randomUUID(), role: Role.OFFICIAL, level: 2 }, 'FORBIDDEN'],
      ['the holder', principal, 'FORBIDDEN'],
      ['partner', { accountId: randomUUID(), role: Role.PARTNER_BANK, level: 2 }, 'FORBIDDEN'],
      ['administrator', { accountId: randomUUID(), role: Role.ADMINISTRATOR, level: 2 }, 'FORBIDDEN'],
      ['finance', { accountId: randomUUID(), role: Role.FINANCE, level: 2 }, 'FORBIDDEN'],
      ['anonymous', null, 'UNAUTHENTICATED'],
    ];
    for (const [who, scanner, errorCode] of refused) await expect(service.verify(scanner, code.payload), who).rejects.toMatchObject({ extensions: { code: errorCode } });
    expect(await logOf(account.id)).toEqual([]);
    expect(await service.verify(clerk(), code.payload)).toMatchObject({ fullName: 'Trần Thị Mai' });
  });

  it('says QR_INVALID for what identity did not sign and QR_UNKNOWN for a genuine code it has no record of, logging neither', async () => {
    const { account, principal } = await aHolder();
    at(0);
    const code = await service.create(principal, []);
    await expect(service.verify(official(), code.payload.slice(0, -3) + 'AAA')).rejects.toMatchObject({ extensions: { reason: 'QR_INVALID' } });
    await db.dataSource.query(`DELETE FROM identity.qr_codes WHERE id = $1`, [(await rowOf(code.payload)).id]);
    await expect(service.verify(official(), code.payload)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'QR_UNKNOWN', problems: [{ field: 'payload' }] } });
    expect(await logOf(account.id)).toEqual([]);
  });
});
