import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The account life cycle and sessions:
 * - `account_status_history`: every suspension, reinstatement and revocation (who, when, from, to, why),
 *   append-only like the access log (the database refuses UPDATE, DELETE and TRUNCATE);
 * - one-time codes for a forgotten password (purpose PASSWORD_RESET); a password-reset decoy (a username
 *   nobody has) belongs to no account;
 * - refresh tokens found by account (ending every session of an account, listing them).
 *
 * The CHECK on `otp_challenges.purpose` is extended with what it allows now, read from the database, so
 * migrations that add purposes of their own compose in any order.
 */
export class AccountLifecycle1795710000000 implements MigrationInterface {
  name = 'AccountLifecycle1795710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.account_status_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Orders the history exactly and pages it.
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        account_id uuid NOT NULL REFERENCES identity.accounts(id),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        event text NOT NULL CHECK (event IN ('ACTIVATE', 'SUSPEND', 'REINSTATE', 'REVOKE')),
        from_status text NOT NULL,
        to_status text NOT NULL,
        reason text NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 500),
        -- Staff accounts may be removed or be test principals; kept as they were, without a foreign key.
        changed_by_account_id uuid NOT NULL,
        changed_by_role text NOT NULL
      )`);
    await q.query(`CREATE INDEX account_status_history_account_idx ON identity.account_status_history (account_id, seq DESC)`);
    await q.query(`
      CREATE FUNCTION identity.account_status_history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'identity.account_status_history is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER account_status_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON identity.account_status_history
      FOR EACH STATEMENT EXECUTE FUNCTION identity.account_status_history_is_append_only()`);

    await setPurposes(q, (purposes) => [...new Set([...purposes, 'PASSWORD_RESET'])]);
    await q.query(`ALTER TABLE identity.otp_challenges
      DROP CONSTRAINT otp_challenge_has_one_owner,
      ADD CONSTRAINT otp_challenge_has_one_owner CHECK (num_nonnulls(account_id, claim_id) = 1 OR (decoy AND purpose = 'PASSWORD_RESET' AND num_nonnulls(account_id, claim_id) = 0))`);

    await q.query(`CREATE INDEX refresh_tokens_account_idx ON identity.refresh_tokens (account_id, family_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX identity.refresh_tokens_account_idx`);
    await q.query(`DELETE FROM identity.otp_challenges WHERE purpose = 'PASSWORD_RESET'`);
    await q.query(`ALTER TABLE identity.otp_challenges
      DROP CONSTRAINT otp_challenge_has_one_owner,
      ADD CONSTRAINT otp_challenge_has_one_owner CHECK (num_nonnulls(account_id, claim_id) = 1)`);
    await setPurposes(q, (purposes) => purposes.filter((p) => p !== 'PASSWORD_RESET'));
    await q.query(`DROP TABLE identity.account_status_history`);
    await q.query(`DROP FUNCTION identity.account_status_history_is_append_only()`);
  }
}

/**
 * Replaces the CHECK that lists the allowed `otp_challenges.purpose` values with `change(current values)`,
 * keeping its name. The current values are read from the constraint itself.
 */
async function setPurposes(q: QueryRunner, change: (purposes: string[]) => string[]): Promise<void> {
  const rows = (await q.query(`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
    WHERE conrelid = 'identity.otp_challenges'::regclass AND contype = 'c'`)) as { name: string; definition: string }[];
  const listing = rows.filter((r) => /\bpurpose\b/.test(r.definition) && !/account_id|claim_id|decoy/.test(r.definition));
  if (listing.length !== 1) throw new Error(`expected one CHECK listing otp_challenges.purpose, found ${listing.length}`);
  const [{ name, definition }] = listing;
  const current = [...definition.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
  const next = change(current);
  if (next.some((p) => !/^[A-Z_]+$/.test(p))) throw new Error('purposes are upper-case words');
  await q.query(`ALTER TABLE identity.otp_challenges DROP CONSTRAINT "${name}",
    ADD CONSTRAINT "${name}" CHECK (purpose IN (${next.map((p) => `'${p}'`).join(', ')}))`);
}
