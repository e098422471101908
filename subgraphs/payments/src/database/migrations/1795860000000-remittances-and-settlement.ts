import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * End of day, reconciliation (đối soát) and settlement (quyết toán với đơn vị thụ hưởng).
 *
 * - `payments.remittances`: the cash a postal point declares it remitted at the end of a business day (nộp tiền
 *   cuối ngày), one declaration per point and day, never changed. Its primary key leads with the day, which is how
 *   the reconciliation reads them (all points of one day).
 * - `payments.settlement_batches`: what finance settled with an agency up to a business day, one batch per agency
 *   and day. A batch is written whole when it is closed and never changed afterwards.
 * - `payments.settlement_batch_items`: which movement went into which batch, with its signed effect on what the
 *   agency is owed. Unique per movement, so a movement is settled exactly once; partitioned by month of the
 *   movement's business day like `payments.payments` (its unique key is the movement's own key), so each month's
 *   index stays the size of a month.
 *
 * The reconciliation reads `payments.payments` for one day by its primary key (business_date, id), which leads with
 * the day in every monthly partition; no index is added to that table here. The cash-on-delivery dispatches of a
 * day, which it reads too, get an index that leads with the day (the existing one leads with the point).
 */
export class RemittancesAndSettlement1795860000000 implements MigrationInterface {
  name = 'RemittancesAndSettlement1795860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments.remittances (
        id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        business_date date NOT NULL,
        postal_point_code text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0 AND amount <= 1000000000000000),
        declared_by_account_id uuid NOT NULL,
        declared_by_role text NOT NULL,
        declared_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (business_date, postal_point_code)
      )`);
    // A point's own declarations, newest first (a clerk's screen).
    await q.query(`CREATE INDEX remittances_point_idx ON payments.remittances (postal_point_code, business_date DESC)`);
    await q.query(`CREATE INDEX cod_dispatches_day_idx ON payments.cod_dispatches (business_date, postal_point_code) INCLUDE (agency_code, amount)`);

    await q.query(`
      CREATE TABLE payments.settlement_batches (
        id uuid PRIMARY KEY,
        agency_code text NOT NULL CHECK (agency_code ~ '^[A-Z0-9_]{2,20}$'),
        business_date date NOT NULL,
        settled_through date NOT NULL CHECK (settled_through <= business_date),
        total bigint NOT NULL,
        item_count integer NOT NULL CHECK (item_count >= 0),
        adjustment_count integer NOT NULL CHECK (adjustment_count >= 0 AND adjustment_count <= item_count),
        adjustment_total bigint NOT NULL,
        closed_by_account_id uuid NOT NULL,
        closed_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT settlement_batches_one_per_agency_day UNIQUE (agency_code, business_date)
      )`);
    await q.query(`CREATE INDEX settlement_batches_day_idx ON payments.settlement_batches (business_date DESC, agency_code)`);

    await q.query(`
      CREATE TABLE payments.settlement_batch_items (
        batch_id uuid NOT NULL REFERENCES payments.settlement_batches (id),
        business_date date NOT NULL,
        payment_id uuid NOT NULL,
        effect bigint NOT NULL,
        is_adjustment boolean NOT NULL,
        PRIMARY KEY (batch_id, business_date, payment_id),
        CONSTRAINT settlement_batch_items_once UNIQUE (business_date, payment_id)
      ) PARTITION BY RANGE (business_date)`);

    // A closed batch is final: later corrections are adjustments in a later batch, never edits of this one.
    for (const table of ['remittances', 'settlement_batches', 'settlement_batch_items']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON payments.${table} FOR EACH ROW EXECUTE FUNCTION payments.append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON payments.${table} FOR EACH STATEMENT EXECUTE FUNCTION payments.append_only()`);
    }

    // Monthly partitions of the items, made on demand by closeSettlementBatch; idempotent and safe concurrently.
    await q.query(`
      CREATE FUNCTION payments.ensure_settlement_item_partitions(day date) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        month date := date_trunc('month', day)::date;
        partition text := 'settlement_batch_items_' || to_char(month, 'YYYY_MM');
      BEGIN
        IF to_regclass(format('payments.%I', partition)) IS NOT NULL THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(hashtext('payments.ensure_settlement_item_partitions'));
        IF to_regclass(format('payments.%I', partition)) IS NULL THEN
          EXECUTE format('CREATE TABLE payments.%I PARTITION OF payments.settlement_batch_items FOR VALUES FROM (%L) TO (%L)',
            partition, month, (month + interval '1 month')::date);
        END IF;
      END $$`);
    await q.query(`
      SELECT payments.ensure_settlement_item_partitions(m::date)
      FROM generate_series('2024-01-01'::date, (date_trunc('year', now()) + interval '2 years' - interval '1 day')::date, interval '1 month') AS m`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payments.settlement_batch_items`);
    await q.query(`DROP TABLE payments.settlement_batches`);
    await q.query(`DROP TABLE payments.remittances`);
    await q.query(`DROP INDEX payments.cod_dispatches_day_idx`);
    await q.query(`DROP FUNCTION payments.ensure_settlement_item_partitions(date)`);
  }
}
