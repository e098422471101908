import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consents: a holder lets one partner check some attributes, for one purpose, until a date. Rows are never
 * deleted (revoked or replaced ones stay as history); at most one is current per holder, partner and purpose.
 */
export class Consents1795720000001 implements MigrationInterface {
  name = 'Consents1795720000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.consents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES identity.accounts(id),
        partner_id uuid NOT NULL REFERENCES identity.partners(id),
        attributes text[] NOT NULL CHECK (cardinality(attributes) > 0),
        purpose text NOT NULL CHECK (length(purpose) BETWEEN 3 AND 500),
        -- the purpose with case, spacing and diacritics folded: what a check's stated purpose is compared on
        purpose_key text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        replaced_at timestamptz,
        CONSTRAINT consent_expires_after_grant CHECK (expires_at > granted_at)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX consents_current_key ON identity.consents (account_id, partner_id, purpose_key)
      WHERE revoked_at IS NULL AND replaced_at IS NULL`);
    await q.query(`CREATE INDEX consents_account_idx ON identity.consents (account_id, granted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX consents_partner_idx ON identity.consents (partner_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.consents`);
  }
}
