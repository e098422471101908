import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organisations (tổ chức, doanh nghiệp) in their own table: they do not log in, people act for them. Each has one
 * legal representative (an account); the representative grants delegations (ủy quyền) to other people's accounts,
 * each with scopes and an expiry; every act for an organisation is in its activity log, which is append-only in
 * the database itself, as the access log is.
 */
export class Organisations1795760000000 implements MigrationInterface {
  name = 'Organisations1795760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- mã số thuế / mã số doanh nghiệp: 10 digits, or 10 + "-" + 3 for a dependent unit (branch); one normal form
        tax_code text NOT NULL CHECK (tax_code ~ '^[0-9]{10}(-[0-9]{3})?$'),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 300),
        representative_account_id uuid NOT NULL REFERENCES identity.accounts(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX organisations_tax_code_key ON identity.organisations (tax_code)`);
    await q.query(`CREATE INDEX organisations_representative_idx ON identity.organisations (representative_account_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE identity.delegations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES identity.organisations(id),
        delegate_account_id uuid NOT NULL REFERENCES identity.accounts(id),
        scopes text[] NOT NULL CHECK (cardinality(scopes) > 0
          AND scopes <@ ARRAY['SUBMIT_DOSSIERS', 'VIEW_DOSSIERS', 'PAY_FEES', 'MANAGE_DOCUMENTS']::text[]),
        granted_by_account_id uuid NOT NULL REFERENCES identity.accounts(id),
        granted_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by_account_id uuid REFERENCES identity.accounts(id),
        -- a new grant to the same person took this one's place
        replaced_at timestamptz,
        CONSTRAINT delegation_expires_after_grant CHECK (expires_at > granted_at),
        CONSTRAINT delegation_not_to_grantor CHECK (delegate_account_id <> granted_by_account_id)
      )`);
    // At most one current delegation per organisation and person: a new grant replaces it (in one transaction).
    await q.query(`
      CREATE UNIQUE INDEX delegations_current_key ON identity.delegations (organisation_id, delegate_account_id)
      WHERE revoked_at IS NULL AND replaced_at IS NULL`);
    await q.query(`CREATE INDEX delegations_organisation_idx ON identity.delegations (organisation_id, granted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX delegations_delegate_idx ON identity.delegations (delegate_account_id, granted_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE identity.organisation_activity (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Orders the log exactly (entries written together share one timestamp) and pages it.
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        organisation_id uuid NOT NULL REFERENCES identity.organisations(id),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_account_id uuid NOT NULL REFERENCES identity.accounts(id),
        -- the delegation the actor acted under; null when they acted as the legal representative
        delegation_id uuid REFERENCES identity.delegations(id),
        -- the GraphQL mutation, e.g. grantDelegation, actForOrganisation
        operation text NOT NULL CHECK (length(operation) BETWEEN 1 AND 100),
        -- what it was done to, when it names one thing (the delegation granted or revoked)
        subject_id uuid
      )`);
    await q.query(`CREATE INDEX organisation_activity_organisation_idx ON identity.organisation_activity (organisation_id, seq DESC)`);
    await q.query(`
      CREATE FUNCTION identity.organisation_activity_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'identity.organisation_activity is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER organisation_activity_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON identity.organisation_activity
      FOR EACH STATEMENT EXECUTE FUNCTION identity.organisation_activity_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.organisation_activity`);
    await q.query(`DROP FUNCTION identity.organisation_activity_is_append_only()`);
    await q.query(`DROP TABLE identity.delegations`);
    await q.query(`DROP TABLE identity.organisations`);
  }
}
