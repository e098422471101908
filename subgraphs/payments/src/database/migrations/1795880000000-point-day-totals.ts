import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What one set of inserted movements adds to each point's till per day and agency (counter movements and their reversals). */
const TILL_CONTRIBUTIONS = (source: string) => `
  SELECT x.business_date, x.postal_point_code, x.agency_code, x.province_code,
         sum(x.cash) AS collected, sum(x.cod) AS cod_collected, count(*)::int AS movement_count
  FROM (
    SELECT i.business_date, i.postal_point_code, i.agency_code, i.province_code,
           CASE i.type WHEN 'COLLECTION' THEN i.amount ELSE -i.amount END AS cash,
           CASE WHEN i.type = 'COLLECTION' AND i.purpose = 'CASH_ON_DELIVERY' THEN i.amount ELSE 0 END AS cod
    FROM ${source} i
    WHERE i.channel = 'COUNTER' AND i.type IN ('COLLECTION', 'DISBURSEMENT')
    UNION ALL
    SELECT o.business_date, o.postal_point_code, o.agency_code, o.province_code,
           CASE o.type WHEN 'COLLECTION' THEN -r.amount ELSE r.amount END,
           CASE WHEN o.type = 'COLLECTION' AND o.purpose = 'CASH_ON_DELIVERY' THEN -r.amount ELSE 0 END
    FROM ${source} r
    JOIN payments.payments o ON o.business_date = r.original_business_date AND o.id = r.original_id
    WHERE r.type = 'REVERSAL' AND o.channel = 'COUNTER' AND o.type IN ('COLLECTION', 'DISBURSEMENT')
  ) x
  GROUP BY x.business_date, x.postal_point_code, x.agency_code, x.province_code`;

/**
 * Each postal point's till per business day and agency, kept by the database as movements are written: the day's
 * reconciliation reads a few thousand rows instead of the half million movements of the day (its month's partition
 * whole, as PostgreSQL chose to), and a month a few million. A statement-level trigger over the inserted rows keeps
 * it, in the movement's own transaction, the way the ledger's balance is checked; the table is filled from the
 * movements already there.
 */
export class PointDayTotals1795880000000 implements MigrationInterface {
  name = 'PointDayTotals1795880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments.point_day_totals (
        business_date date NOT NULL,
        postal_point_code text NOT NULL,
        agency_code text NOT NULL,
        province_code text NOT NULL,
        collected bigint NOT NULL,
        cod_collected bigint NOT NULL,
        movement_count int NOT NULL,
        PRIMARY KEY (business_date, postal_point_code, agency_code)
      )`);
    await q.query(`
      CREATE FUNCTION payments.point_day_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO payments.point_day_totals AS t (business_date, postal_point_code, agency_code, province_code, collected, cod_collected, movement_count)
        ${TILL_CONTRIBUTIONS('inserted')}
        ON CONFLICT (business_date, postal_point_code, agency_code) DO UPDATE SET
          collected = t.collected + EXCLUDED.collected,
          cod_collected = t.cod_collected + EXCLUDED.cod_collected,
          movement_count = t.movement_count + EXCLUDED.movement_count;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER payments_point_day_totals AFTER INSERT ON payments.payments
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION payments.point_day_totals_add()`);
    await q.query(`
      INSERT INTO payments.point_day_totals (business_date, postal_point_code, agency_code, province_code, collected, cod_collected, movement_count)
      ${TILL_CONTRIBUTIONS('payments.payments')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER payments_point_day_totals ON payments.payments`);
    await q.query(`DROP FUNCTION payments.point_day_totals_add()`);
    await q.query(`DROP TABLE payments.point_day_totals`);
  }
}
