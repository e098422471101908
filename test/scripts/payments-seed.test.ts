import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPaymentsDatabase } from '../../subgraphs/payments/src/database/data-source';
import { generatePostalPoints } from '../../subgraphs/payments/src/postal-points/postal-point.generator';
import { importPostalPoints } from '../../subgraphs/payments/src/postal-points/postal-point.import';
import { createLogger } from '../../subgraphs/shared/src';
import { daysFrom, hasRemittancesTable, movementsFor, NATIONAL_MOVEMENTS_PER_DAY, seedPaymentsDay, type DaySeed } from '../../scripts/lib/payments-seed';

/** The bench's seed (npm run bench:payments) on one small day: what it writes is what the services would have. */

/** A fresh database on the run's PostgreSQL (as the test kit's createTestDatabase, without loading the whole stack). */
async function createTestDatabase(): Promise<string> {
  const name = `t_${inject('runId')}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: inject('postgresUrl') });
  await admin.connect();
  try { await admin.query(`CREATE DATABASE "${name}"`); } finally { await admin.end(); }
  const url = new URL(inject('postgresUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

const DAY = '2026-10-07';
const MOVEMENTS = 3_000;

describe('the payments bench seed, one small day', () => {
  let client: Client;
  let seeded: DaySeed;
  let withRemittances: boolean;
  const one = async <T = any>(sql: string, parameters: unknown[] = []): Promise<T> => (await client.query(sql, parameters)).rows[0] as T;

  beforeAll(async () => {
    const url = await createTestDatabase();
    const payments = await openPaymentsDatabase(url, createLogger({ service: 'test', level: 'silent' }));
    try {
      await importPostalPoints(payments.dataSource, generatePostalPoints({ total: 300 }));
    } finally {
      await payments.dataSource.destroy();
    }
    client = new Client({ connectionString: url });
    await client.connect();
    withRemittances = await hasRemittancesTable(client);
    // Three statements, so that the split of points and online payments between statements is exercised.
    seeded = await seedPaymentsDay(client, DAY, MOVEMENTS, { rowsPerStatement: 1_000, remittances: withRemittances });
  });
  afterAll(async () => { await client?.end(); });

  it('writes about the asked number of movements, two balanced postings each, and says what it wrote', async () => {
    expect(seeded.movements).toBeGreaterThan(MOVEMENTS * 0.9);
    expect(seeded.movements).toBeLessThan(MOVEMENTS * 1.1);
    expect(await one(`SELECT count(*)::int AS n FROM payments.payments WHERE business_date = $1`, [DAY])).toEqual({ n: seeded.movements });
    expect(await one(`SELECT count(*)::int AS n FROM payments.ledger_entries WHERE business_date = $1`, [DAY])).toEqual({ n: seeded.postings });
    expect(seeded.postings).toBe(2 * seeded.movements);
    expect((await client.query(`SELECT transaction_id FROM payments.ledger_entries GROUP BY transaction_id HAVING sum(amount) <> 0 OR count(*) <> 2`)).rows).toEqual([]);
    expect((await client.query(`SELECT p.id FROM payments.payments p LEFT JOIN payments.ledger_entries e ON e.business_date = p.business_date AND e.transaction_id = p.id WHERE e.transaction_id IS NULL`)).rows).toEqual([]);
  });

  it('posts as the services do: a counter collection debits the point\'s cash, a pension credits it, online goes to clearing', async () => {
    const wrong = await client.query(`
      SELECT p.id FROM payments.payments p JOIN payments.ledger_entries e ON e.business_date = p.business_date AND e.transaction_id = p.id
      WHERE e.account = CASE p.channel WHEN 'COUNTER' THEN 'POSTAL_POINT_CASH:' || p.postal_point_code ELSE 'ONLINE_CLEARING' END
        AND e.amount <> CASE WHEN (p.purpose = 'DISBURSEMENT') <> (p.type = 'REVERSAL') THEN -p.amount ELSE p.amount END`);
    expect(wrong.rows).toEqual([]);
    const payable = await one(`SELECT count(*)::int AS n FROM payments.ledger_entries WHERE business_date = $1 AND account LIKE 'AGENCY_PAYABLE:%'`, [DAY]);
    expect(payable.n).toBe(seeded.movements);
  });

  it('has the mix of a real day: counters and online, bills, fees, pensions and cash on delivery, a few same-day reversals', async () => {
    const mix = await client.query<{ key: string; n: number }>(`
      SELECT channel || ' ' || type || ' ' || purpose AS key, count(*)::int AS n FROM payments.payments WHERE business_date = $1 GROUP BY 1`, [DAY]);
    const count = (key: string) => mix.rows.find((r) => r.key === key)?.n ?? 0;
    const share = (key: string) => count(key) / seeded.movements;
    expect(share('COUNTER COLLECTION BILL_PAYMENT')).toBeGreaterThan(0.45);
    expect(share('COUNTER COLLECTION DOSSIER_FEE')).toBeGreaterThan(0.12);
    expect(share('COUNTER DISBURSEMENT DISBURSEMENT')).toBeGreaterThan(0.03);
    expect(share('COUNTER COLLECTION CASH_ON_DELIVERY')).toBeGreaterThan(0.04);
    expect(share('ONLINE COLLECTION BILL_PAYMENT') + share('ONLINE COLLECTION DOSSIER_FEE')).toBeGreaterThan(0.08);
    expect(seeded.reversals).toBe(mix.rows.filter((r) => r.key.includes('REVERSAL')).reduce((a, r) => a + r.n, 0));
    expect(seeded.codDispatches).toBe((await one(`SELECT count(*)::int AS n FROM payments.cod_dispatches WHERE business_date = $1`, [DAY])).n);
    expect(seeded.codDispatches).toBeGreaterThanOrEqual(count('COUNTER COLLECTION CASH_ON_DELIVERY'));
  });

  it('keeps the rules of real movements: whole đồng, a Vietnam business day, open points of their province, reversals of the same day', async () => {
    const bounds = await one(`
      SELECT min(amount)::text AS least, max(amount)::text AS most,
        bool_and(recorded_at >= ($1::date::timestamp - interval '7 hours') AT TIME ZONE 'UTC' AND recorded_at < ($1::date::timestamp + interval '17 hours') AT TIME ZONE 'UTC') AS in_day
      FROM payments.payments WHERE business_date = $1`, [DAY]);
    expect(BigInt(bounds.least)).toBeGreaterThanOrEqual(10_000n);
    expect(BigInt(bounds.most)).toBeLessThanOrEqual(20_000_000n);
    expect(bounds.in_day).toBe(true);
    expect((await client.query(`
      SELECT p.id FROM payments.payments p LEFT JOIN payments.postal_points pp ON pp.code = p.postal_point_code
      WHERE p.channel = 'COUNTER' AND (pp.code IS NULL OR NOT pp.is_open OR pp.province_code <> p.province_code)`)).rows).toEqual([]);
    expect((await client.query(`
      SELECT r.id FROM payments.payments r LEFT JOIN payments.payments o ON o.business_date = r.original_business_date AND o.id = r.original_id
      WHERE r.type = 'REVERSAL' AND (o.id IS NULL OR o.type NOT IN ('COLLECTION', 'DISBURSEMENT') OR o.amount <> r.amount OR o.business_date <> r.business_date
        OR o.postal_point_code <> r.postal_point_code OR r.recorded_at <= o.recorded_at)`)).rows).toEqual([]);
    expect((await client.query(`
      SELECT p.id FROM payments.payments p LEFT JOIN payments.cod_dispatches d ON d.dossier_id = p.dossier_id
      WHERE p.purpose = 'CASH_ON_DELIVERY' AND (d.dossier_id IS NULL OR d.postal_point_code <> p.postal_point_code OR d.amount <> p.amount)`)).rows).toEqual([]);
  });

  it('declares what each point owes, as the reconciliation counts it, with a few short, over and missing (when remittances exist)', async () => {
    if (!withRemittances) { expect(seeded.remittances).toBe(0); return; }
    const owed = `
      SELECT code, sum(due) AS due FROM (
        SELECT postal_point_code AS code,
          CASE WHEN purpose = 'CASH_ON_DELIVERY' THEN 0 WHEN (purpose = 'DISBURSEMENT') <> (type = 'REVERSAL') THEN -amount ELSE amount END AS due
        FROM payments.payments WHERE business_date = $1 AND channel = 'COUNTER'
        UNION ALL SELECT postal_point_code, amount FROM payments.cod_dispatches WHERE business_date = $1) x
      GROUP BY code`;
    const points = await one(`SELECT count(*)::int AS n FROM (${owed}) o`, [DAY]);
    expect(seeded.remittances).toBeLessThanOrEqual(points.n);
    expect(seeded.remittances).toBeGreaterThan(points.n * 0.95);
    const matched = await one(`
      SELECT count(*) FILTER (WHERE r.amount = greatest(0, o.due))::int AS n FROM payments.remittances r JOIN (${owed}) o ON o.code = r.postal_point_code
      WHERE r.business_date = $1`, [DAY]);
    expect(matched.n / seeded.remittances).toBeGreaterThan(0.9);
  });

  it('sizes days by the national figure and the day of the week', () => {
    const week = daysFrom('2026-10-05', 7);
    expect(week).toEqual(['2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08', '2026-10-09', '2026-10-10', '2026-10-11']);
    const total = week.reduce((sum, day) => sum + movementsFor(day, 1), 0);
    expect(Math.abs(total - 7 * NATIONAL_MOVEMENTS_PER_DAY)).toBeLessThan(10);
    expect(movementsFor('2026-10-11', 1)).toBeLessThan(movementsFor('2026-10-10', 1));
    expect(movementsFor('2026-10-10', 1)).toBeLessThan(movementsFor('2026-10-07', 1));
    expect(Math.abs(movementsFor('2026-10-07', 0.1) - movementsFor('2026-10-07', 1) / 10)).toBeLessThanOrEqual(1);
  });
});
