import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../../../test/kit/stack';
import { Cache, createLogger, createRedis, DomainError, openDatabase, waitForRedis, type Database } from '../../../shared/src';
import { openPaymentsDatabase, PAYMENTS_SCHEMA } from '../database/data-source';
import { CreatePayments1763942400000 } from '../database/migrations/1763942400000-create-payments';
import { PASSPORT_FEE_SCHEDULE } from '../database/migrations/1795800000000-passport-fee-schedule';
import { FEE_SCHEDULES, FEE_SCHEDULES_IN_FORCE_FROM } from './fee-schedule.catalogue';
import { createFeeScheduleLoader, FEE_SCHEDULE_CACHE, type CachedFeeSchedule } from './fee-schedule.loader';
import { FeeScheduleMissingError, feeScheduleInForce } from './fee-schedule.service';

// Payments' database alone (migrated, nothing seeded) and the run's Redis under a prefix of its own: the loader and
// the migration are exercised on the real thing, without a server in front.
const log = createLogger({ service: 'test', level: 'silent' });
const keyPrefix = `test:fees:${randomBytes(4).toString('hex')}:`;

let database: Database | undefined;
let redis: Redis | undefined;
let cache: Cache<CachedFeeSchedule>;

/** A calendar day `days` from today in Vietnam (UTC+7, no daylight saving), computed independently of the service. */
const dayInVietnam = (days: number) => new Date(Date.now() + 7 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
const sql = <T = any>(query: string, parameters: unknown[] = []): Promise<T[]> => database!.dataSource.query(query, parameters);

/** Publishes a schedule the way a migration would: a dated row and its items in print order. */
async function publish(serviceCode: string, from: string, to: string | null, items: [string, bigint][] = []): Promise<void> {
  const [{ id }] = await sql(`INSERT INTO payments.fee_schedules (service_code, effective_from, effective_to) VALUES ($1, $2, $3) RETURNING id`, [serviceCode, from, to]);
  await sql(
    `INSERT INTO payments.fee_schedule_items (schedule_id, name, amount, position)
     SELECT $1, name, amount, position FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS i(name, amount, position)`,
    [id, items.map(([name]) => name), items.map(([, amount]) => amount.toString())],
  );
}

const loader = (today?: () => string) => createFeeScheduleLoader(database!.dataSource, cache, today);

async function flushCache(): Promise<void> {
  const keys = await redis!.keys(`${keyPrefix}*`);
  if (keys.length) await redis!.del(...keys);
}

beforeAll(async () => {
  database = await openPaymentsDatabase(await createTestDatabase(), log);
  redis = createRedis(inject('redisUrl'), log, 'fee-schedule-test');
  if (!(await waitForRedis(redis))) throw new Error('the test Redis is not reachable');
  cache = new Cache<CachedFeeSchedule>(redis, FEE_SCHEDULE_CACHE.family, { log, keyPrefix, ttlSeconds: FEE_SCHEDULE_CACHE.ttlSeconds });
});

afterAll(async () => {
  await database?.dataSource.destroy();
  if (redis) {
    await flushCache();
    redis.disconnect();
  }
});

describe('the fee schedules migration', () => {
  it('publishes the opening catalogue, in force from a fixed past day with no end, free services as schedules without items', async () => {
    const rows = await sql(`
      SELECT s.service_code AS code, s.effective_from::text AS "from", s.effective_to::text AS "to",
             coalesce(json_agg(json_build_object('name', i.name, 'amount', i.amount::text, 'position', i.position) ORDER BY i.position) FILTER (WHERE i.id IS NOT NULL), '[]') AS items
      FROM payments.fee_schedules s LEFT JOIN payments.fee_schedule_items i ON i.schedule_id = s.id
      GROUP BY s.id ORDER BY s.service_code`);
    // The opening catalogue, and the passport's schedule that came with the eighth service group.
    const expected = [...Object.entries(FEE_SCHEDULES), [PASSPORT_FEE_SCHEDULE.serviceCode, PASSPORT_FEE_SCHEDULE.items] as const].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, items]) => ({
      code, from: FEE_SCHEDULES_IN_FORCE_FROM, to: null,
      items: items.map((item, i) => ({ name: item.name, amount: item.amount.toString(), position: i + 1 })),
    }));
    expect(rows).toEqual(expected);
    expect(rows.filter((r) => r.items.length === 0).map((r) => r.code)).toContain('PROMOTION_NOTICE');
  });

  it('refuses two schedules of one service that overlap, even by one day, and a period that ends before it starts', async () => {
    // Open-ended GPLX_EXCHANGE schedule from the catalogue: anything later overlaps it.
    await expect(publish('GPLX_EXCHANGE', '2030-01-01', null)).rejects.toMatchObject({ driverError: { code: '23P01' } });
    await publish('T_OVERLAP', '2025-01-01', '2025-06-30');
    await expect(publish('T_OVERLAP', '2025-06-30', null)).rejects.toMatchObject({ driverError: { code: '23P01' } });
    await publish('T_OVERLAP', '2025-07-01', null); // the next day is fine
    await expect(publish('T_BACKWARDS', '2025-02-01', '2025-01-31')).rejects.toMatchObject({ driverError: { code: '23514' } });
  });

  it('moves the items a development seed wrote before it, keeps their amounts, and can be undone and redone', async () => {
    const url = await createTestDatabase();
    // The database as the previous release left it: only the first migration, and the old seed's undated items.
    const before = await openDatabase({ url, schema: PAYMENTS_SCHEMA, entities: [], migrations: [CreatePayments1763942400000], logger: log });
    await before.dataSource.query(`INSERT INTO payments.fee_schedule_items (service_code, name, amount, position) VALUES
      ('GPLX_EXCHANGE', 'Lệ phí cấp đổi giấy phép lái xe', 135000, 1), ('CCCD_RENEWAL', 'Lệ phí đổi thẻ căn cước (sửa tay)', 55000, 1), ('LOCAL_ONLY', 'Phí riêng', 1000, 1)`);
    await before.dataSource.destroy();

    const payments = await openPaymentsDatabase(url, log);
    try {
      const schedules = () => payments.dataSource.query(`
        SELECT s.service_code AS code, s.effective_from::text AS "from", count(i.id)::int AS items, coalesce(sum(i.amount), 0)::text AS total
        FROM payments.fee_schedules s LEFT JOIN payments.fee_schedule_items i ON i.schedule_id = s.id GROUP BY s.id ORDER BY 1`);
      const moved = await schedules();
      const byCode = new Map(moved.map((s: { code: string }) => [s.code, s]));
      expect(moved).toHaveLength(Object.keys(FEE_SCHEDULES).length + 2); // LOCAL_ONLY, and the passport's later migration
      expect(byCode.get('PASSPORT_ISSUE')).toMatchObject({ items: 1, total: '200000' });
      expect(byCode.get('CCCD_RENEWAL')).toEqual({ code: 'CCCD_RENEWAL', from: FEE_SCHEDULES_IN_FORCE_FROM, items: 1, total: '55000' });
      expect(byCode.get('GPLX_EXCHANGE')).toMatchObject({ items: 1, total: '135000' });
      expect(byCode.get('LOCAL_ONLY')).toMatchObject({ items: 1, total: '1000' });
      expect(byCode.get('PROMOTION_NOTICE')).toMatchObject({ items: 0, total: '0' });

      // Undo the later migrations, then this one.
      const last = async () => (await payments.dataSource.query(`SELECT name FROM payments.migrations ORDER BY id DESC LIMIT 1`))[0].name as string;
      while ((await last()) !== 'FeeSchedulesWithEffectiveDates1795568400000') await payments.dataSource.undoLastMigration();
      await payments.dataSource.undoLastMigration();
      // Back to undated items by service code, those of the schedules in force; free services are simply absent
      // again, as that shape had them.
      expect(await payments.dataSource.query(`SELECT service_code, amount::text FROM payments.fee_schedule_items ORDER BY 1`)).toEqual([
        { service_code: 'CCCD_REISSUE', amount: '70000' }, { service_code: 'CCCD_RENEWAL', amount: '55000' }, { service_code: 'GPLX_EXCHANGE', amount: '135000' },
        { service_code: 'LOCAL_ONLY', amount: '1000' }, { service_code: 'RESIDENCE_REGISTRATION', amount: '20000' },
      ]);
      await payments.dataSource.runMigrations();
      expect(await schedules()).toEqual(moved);
    } finally {
      await payments.dataSource.destroy();
    }
  });
});

describe('the fee schedule loader', () => {
  it('answers with the schedule in force today in Vietnam, or null, in one statement for any number of services', async () => {
    const [yesterday, today, tomorrow] = [dayInVietnam(-1), dayInVietnam(0), dayInVietnam(1)];
    await publish('T_SWITCHED', '2024-01-01', yesterday, [['Lệ phí cũ', 10_000n]]);
    await publish('T_SWITCHED', today, null, [['Lệ phí mới', 12_000n], ['Phí in', 500n]]);
    await publish('T_LAST_DAY', '2024-01-01', today, [['Lệ phí', 5_000n]]);
    await publish('T_LAST_DAY', tomorrow, null, [['Lệ phí', 6_000n]]);
    await publish('T_ENDED', '2024-01-01', yesterday, [['Lệ phí', 1_000n]]);
    await publish('T_NOT_YET', tomorrow, null, [['Lệ phí', 1_000n]]);
    await publish('T_FREE', '2024-01-01', null);
    // 2^53 + 1 đồng: summed by PostgreSQL as bigint, carried as a string, never a JavaScript number.
    await publish('T_BIG', '2024-01-01', null, [['a', 9_007_199_254_740_992n], ['b', 1n]]);

    await flushCache();
    const before = database!.queries.count;
    const codes = ['T_SWITCHED', 'T_LAST_DAY', 'T_ENDED', 'T_NOT_YET', 'T_FREE', 'T_NONE', 'T_BIG', 'GPLX_EXCHANGE', 'not a code'];
    const [switched, lastDay, ended, notYet, free, none, big, gplx, junk] = await loader().loadMany(codes);
    expect(database!.queries.count - before).toBe(1);

    expect(switched).toEqual({ effectiveFrom: today, effectiveTo: null, total: 12_500n, items: [{ name: 'Lệ phí mới', amount: 12_000n }, { name: 'Phí in', amount: 500n }] });
    expect(lastDay).toMatchObject({ effectiveFrom: '2024-01-01', effectiveTo: today, total: 5_000n });
    expect(free).toEqual({ effectiveFrom: '2024-01-01', effectiveTo: null, total: 0n, items: [] });
    expect(big).toMatchObject({ total: 9_007_199_254_740_993n });
    expect(gplx).toMatchObject({ effectiveFrom: FEE_SCHEDULES_IN_FORCE_FROM, total: 135_000n });
    expect([ended, notYet, none, junk]).toEqual([null, null, null, null]);
  });

  it('caches the periods, not the answer: an entry read before midnight is still right after it', async () => {
    await publish('T_MIDNIGHT', '2024-01-01', '2030-06-30', [['Lệ phí', 100n]]);
    await publish('T_MIDNIGHT', '2030-07-01', null, [['Lệ phí', 200n]]);
    await flushCache();
    let clock = '2030-06-30';
    expect(await loader(() => clock).load('T_MIDNIGHT')).toMatchObject({ total: 100n, effectiveTo: '2030-06-30' });

    clock = '2030-07-01';
    const before = database!.queries.count;
    expect(await loader(() => clock).load('T_MIDNIGHT')).toMatchObject({ total: 200n, effectiveFrom: '2030-07-01' });
    expect(database!.queries.count - before).toBe(0); // from Redis
    // Until the entry expires, a service without any schedule is not looked up again either.
    await loader().load('T_NOTHING');
    const again = database!.queries.count;
    expect(await loader().load('T_NOTHING')).toBeNull();
    expect(database!.queries.count).toBe(again);
  });
});

describe('a service without a schedule in force', () => {
  it('is an error that names the service, never a free "0"', async () => {
    const error = await feeScheduleInForce(loader(), 'T_NONE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeeScheduleMissingError);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      message: 'No fee schedule is in force for service T_NONE; it cannot be charged until one is published.',
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'FEE_SCHEDULE_MISSING', serviceCode: 'T_NONE' },
    });
    await publish('T_FREE_TOO', '2024-01-01', null);
    expect(await feeScheduleInForce(loader(), 'T_FREE_TOO')).toMatchObject({ total: 0n, items: [] });
  });
});
