import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The access log (append-only, enforced by the database, not only by the code) and what accounts need
 * for level 2 and every account kind: a foreigner's passport and nationality, where and by whom an
 * account was activated, and why its status last changed.
 */
export class AccessLogAndAccountDetails1795700000000 implements MigrationInterface {
  name = 'AccessLogAndAccountDetails1795700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.access_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Orders the log exactly (entries written together share one timestamp) and pages it.
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        account_id uuid NOT NULL REFERENCES identity.accounts(id),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        accessor_kind text NOT NULL CHECK (accessor_kind IN ('PARTNER', 'POSTAL_CLERK', 'OFFICIAL', 'ADMINISTRATOR', 'RELYING_SYSTEM')),
        accessor_id text NOT NULL,
        accessor_name text NOT NULL,
        postal_point_code text,
        agency_code text,
        action text NOT NULL,
        attributes text[] NOT NULL DEFAULT '{}',
        purpose text,
        outcome text NOT NULL CHECK (outcome IN ('ALLOWED', 'REFUSED')),
        reason text
      )`);
    await q.query(`CREATE INDEX access_log_account_idx ON identity.access_log (account_id, seq DESC)`);
    await q.query(`
      CREATE FUNCTION identity.access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'identity.access_log is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON identity.access_log
      FOR EACH STATEMENT EXECUTE FUNCTION identity.access_log_is_append_only()`);

    await q.query(`
      ALTER TABLE identity.accounts
        ADD COLUMN passport_number text,
        ADD COLUMN nationality text CHECK (nationality ~ '^[A-Z]{2}$'),
        ADD COLUMN activated_at timestamptz,
        ADD COLUMN activated_by_account_id uuid,
        ADD COLUMN activated_postal_point_code text,
        ADD COLUMN activated_agency_code text,
        ADD COLUMN status_reason text,
        ADD COLUMN status_changed_at timestamptz,
        ADD CONSTRAINT foreigner_has_passport CHECK (kind <> 'FOREIGNER' OR (passport_number IS NOT NULL AND nationality IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX accounts_passport_key ON identity.accounts (nationality, upper(passport_number)) WHERE passport_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX identity.accounts_passport_key`);
    await q.query(`
      ALTER TABLE identity.accounts
        DROP CONSTRAINT foreigner_has_passport,
        DROP COLUMN passport_number, DROP COLUMN nationality, DROP COLUMN activated_at, DROP COLUMN activated_by_account_id,
        DROP COLUMN activated_postal_point_code, DROP COLUMN activated_agency_code, DROP COLUMN status_reason, DROP COLUMN status_changed_at`);
    await q.query(`DROP TABLE identity.access_log`);
    await q.query(`DROP FUNCTION identity.access_log_is_append_only()`);
  }
}
