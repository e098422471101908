import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each in-person check of a person and their document (activation, registration at a counter): which
 * document, checked by whom, where, and whether it matched. Kept for audit; never edited.
 */
export class AccountVerifications1795740000000 implements MigrationInterface {
  name = 'AccountVerifications1795740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.account_verifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES identity.accounts(id),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        purpose text NOT NULL CHECK (purpose IN ('ACTIVATION', 'REGISTRATION_AT_COUNTER')),
        document_type text NOT NULL CHECK (document_type IN ('CHIP_ID_CARD', 'PASSPORT')),
        document_number text NOT NULL,
        document_issue_date date NOT NULL,
        verified_by_account_id uuid NOT NULL,
        postal_point_code text,
        agency_code text,
        matched boolean NOT NULL,
        mismatched_fields text[] NOT NULL DEFAULT '{}',
        CONSTRAINT verification_has_place CHECK (postal_point_code IS NOT NULL OR agency_code IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX account_verifications_account_idx ON identity.account_verifications (account_id, occurred_at DESC)`);
    await q.query(`CREATE INDEX accounts_activated_point_idx ON identity.accounts (activated_postal_point_code) WHERE activated_postal_point_code IS NOT NULL`);
    await q.query(`CREATE INDEX accounts_verification_point_idx ON identity.accounts (verification_postal_point_code) WHERE verification_postal_point_code IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX identity.accounts_verification_point_idx`);
    await q.query(`DROP INDEX identity.accounts_activated_point_idx`);
    await q.query(`DROP TABLE identity.account_verifications`);
  }
}
