import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Money movements and the ledger behind them, built for 17 million collections a month.
 *
 * - `payments.payments`: every movement (a collection, a disbursement paid out at a counter, a reversal, a
 *   refund), never changed or deleted, partitioned by month of its business day (the Vietnam calendar day it
 *   happened on). Reversals and refunds name their original.
 * - `payments.ledger_entries`: the double-entry postings of every movement (and later of remittances and
 *   settlements), partitioned the same way. A statement that inserts postings must balance every transaction it
 *   touches (the sum of its amounts is zero), which a statement-level trigger checks over the inserted rows: a
 *   COPY of a month is checked once, not row by row.
 * - `payments.idempotency_keys`: the first answer to each key, per caller, kept at least 24 hours.
 * - `payments.dossiers`: what documents announced of each dossier (service, agency, applicant, status, cash on
 *   delivery), from its `dossier.statusChanged` events, so payments can tell what a dossier owes; and
 *   `payments.cod_dispatches`, the cash on delivery a postal point handed to its postmen with a result.
 *
 * Partitions are made by `payments.ensure_month_partitions(day)`, which the service calls before writing to a month
 * it has not seen; this migration makes them from January 2024 to the end of next year.
 */
export class CollectionsAndLedger1795850000000 implements MigrationInterface {
  name = 'CollectionsAndLedger1795850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments.payments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        business_date date NOT NULL,
        type text NOT NULL CHECK (type IN ('COLLECTION', 'DISBURSEMENT', 'REVERSAL', 'REFUND')),
        purpose text NOT NULL CHECK (purpose IN ('DOSSIER_FEE', 'CASH_ON_DELIVERY', 'BILL_PAYMENT', 'DISBURSEMENT')),
        channel text NOT NULL CHECK (channel IN ('COUNTER', 'ONLINE')),
        postal_point_code text,
        province_code text,
        agency_code text NOT NULL CHECK (agency_code ~ '^[A-Z0-9_]{2,20}$'),
        dossier_id uuid,
        bill_reference text CHECK (length(bill_reference) BETWEEN 1 AND 64),
        payer_account_id uuid,
        amount bigint NOT NULL CHECK (amount > 0 AND amount <= 100000000000),
        original_id uuid,
        original_business_date date,
        reason text CHECK (length(reason) BETWEEN 1 AND 500),
        recorded_by_account_id uuid NOT NULL,
        recorded_by_role text NOT NULL,
        recorded_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (business_date, id),
        CONSTRAINT payments_counter_has_point CHECK ((channel = 'COUNTER') = (postal_point_code IS NOT NULL)),
        CONSTRAINT payments_point_has_province CHECK ((postal_point_code IS NULL) = (province_code IS NULL)),
        CONSTRAINT payments_dossier_purposes CHECK ((purpose IN ('DOSSIER_FEE', 'CASH_ON_DELIVERY')) = (dossier_id IS NOT NULL)),
        CONSTRAINT payments_bill_has_reference CHECK ((purpose = 'BILL_PAYMENT') = (bill_reference IS NOT NULL)),
        CONSTRAINT payments_disbursement_at_counter CHECK (purpose <> 'DISBURSEMENT' OR channel = 'COUNTER'),
        CONSTRAINT payments_corrections_name_original CHECK ((type IN ('REVERSAL', 'REFUND')) = (original_id IS NOT NULL AND original_business_date IS NOT NULL AND reason IS NOT NULL)),
        CONSTRAINT payments_reversal_same_day CHECK (type <> 'REVERSAL' OR original_business_date = business_date)
      ) PARTITION BY RANGE (business_date)`);
    // What the reports and the screens ask: a point's day, an agency's day, a dossier's payments, a payer's payments.
    await q.query(`CREATE INDEX payments_point_day_idx ON payments.payments (postal_point_code, business_date) WHERE postal_point_code IS NOT NULL`);
    await q.query(`CREATE INDEX payments_agency_day_idx ON payments.payments (agency_code, business_date)`);
    await q.query(`CREATE INDEX payments_dossier_idx ON payments.payments (dossier_id, recorded_at) WHERE dossier_id IS NOT NULL`);
    await q.query(`CREATE INDEX payments_payer_idx ON payments.payments (payer_account_id, recorded_at DESC, id DESC) WHERE payer_account_id IS NOT NULL`);
    // A movement by its id alone (payment(id), a reversal's original): one index scan per partition.
    await q.query(`CREATE INDEX payments_id_idx ON payments.payments (id)`);
    await q.query(`CREATE INDEX payments_original_idx ON payments.payments (original_id) WHERE original_id IS NOT NULL`);
    // One reversal per movement (a reversal happens on the original's day, so the day is part of the key).
    await q.query(`CREATE UNIQUE INDEX payments_one_reversal ON payments.payments (business_date, original_id) WHERE type = 'REVERSAL'`);

    await q.query(`
      CREATE TABLE payments.ledger_entries (
        business_date date NOT NULL,
        transaction_id uuid NOT NULL,
        account text NOT NULL CHECK (account ~ '^[A-Z_]+(:[A-Z0-9_-]+)?$'),
        amount bigint NOT NULL CHECK (amount <> 0),
        PRIMARY KEY (business_date, transaction_id, account)
      ) PARTITION BY RANGE (business_date)`);
    await q.query(`CREATE INDEX ledger_entries_account_idx ON payments.ledger_entries (account, business_date)`);

    // Balanced, by construction of every statement: a debit without its credit cannot be written.
    await q.query(`
      CREATE FUNCTION payments.ledger_entries_balance() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE unbalanced uuid;
      BEGIN
        SELECT transaction_id INTO unbalanced FROM inserted GROUP BY transaction_id HAVING sum(amount) <> 0 LIMIT 1;
        IF unbalanced IS NOT NULL THEN
          RAISE EXCEPTION 'ledger transaction % does not balance', unbalanced USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_balance AFTER INSERT ON payments.ledger_entries
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION payments.ledger_entries_balance()`);
    // Money that moved stays moved: corrections are new movements that refer to the old ones.
    await q.query(`
      CREATE FUNCTION payments.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'check_violation'; END $$`);
    for (const table of ['payments', 'ledger_entries']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON payments.${table} FOR EACH ROW EXECUTE FUNCTION payments.append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON payments.${table} FOR EACH STATEMENT EXECUTE FUNCTION payments.append_only()`);
    }

    // Monthly partitions of both tables, made on demand; idempotent and safe to call concurrently.
    await q.query(`
      CREATE FUNCTION payments.ensure_month_partitions(day date) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        month date := date_trunc('month', day)::date;
        suffix text := to_char(month, 'YYYY_MM');
        t text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('payments.ensure_month_partitions'));
        FOREACH t IN ARRAY ARRAY['payments', 'ledger_entries'] LOOP
          IF to_regclass(format('payments.%I', t || '_' || suffix)) IS NULL THEN
            EXECUTE format('CREATE TABLE payments.%I PARTITION OF payments.%I FOR VALUES FROM (%L) TO (%L)',
              t || '_' || suffix, t, month, (month + interval '1 month')::date);
          END IF;
        END LOOP;
      END $$`);
    await q.query(`
      SELECT payments.ensure_month_partitions(m::date)
      FROM generate_series('2024-01-01'::date, (date_trunc('year', now()) + interval '2 years' - interval '1 day')::date, interval '1 month') AS m`);

    await q.query(`
      CREATE TABLE payments.idempotency_keys (
        caller_id uuid NOT NULL,
        key text NOT NULL CHECK (key ~ '^[A-Za-z0-9_.:-]{8,128}$'),
        operation text NOT NULL,
        request_hash text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        PRIMARY KEY (caller_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expiry_idx ON payments.idempotency_keys (expires_at)`);

    await q.query(`
      CREATE TABLE payments.dossiers (
        id uuid PRIMARY KEY,
        service_code text NOT NULL,
        agency_code text NOT NULL,
        applicant_account_id uuid,
        organisation_id uuid,
        status text NOT NULL,
        delivery_method text NOT NULL,
        received_postal_point_code text,
        cash_on_delivery bigint CHECK (cash_on_delivery > 0),
        submitted_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL
      )`);
    // Results sent out by post with an amount to collect at the door: the postal point that handed them to its
    // postmen owes that cash from that day on (reconciliation counts it as due).
    await q.query(`
      CREATE TABLE payments.cod_dispatches (
        dossier_id uuid PRIMARY KEY,
        postal_point_code text NOT NULL,
        business_date date NOT NULL,
        agency_code text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        dispatched_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX cod_dispatches_point_day_idx ON payments.cod_dispatches (postal_point_code, business_date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payments.cod_dispatches`);
    await q.query(`DROP TABLE payments.dossiers`);
    await q.query(`DROP TABLE payments.idempotency_keys`);
    await q.query(`DROP TABLE payments.ledger_entries`);
    await q.query(`DROP TABLE payments.payments`);
    await q.query(`DROP FUNCTION payments.ensure_month_partitions(date)`);
    await q.query(`DROP FUNCTION payments.append_only()`);
    await q.query(`DROP FUNCTION payments.ledger_entries_balance()`);
  }
}
