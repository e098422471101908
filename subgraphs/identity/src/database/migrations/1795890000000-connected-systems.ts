import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on in the person's own view: each sign-in to a relying party is an access-log entry that names the
 * scopes the system was granted, and the systems a person is connected to (their live grants) are found by account
 * without reading every grant in the store.
 */
export class ConnectedSystems1795890000000 implements MigrationInterface {
  name = 'ConnectedSystems1795890000000';

  async up(q: QueryRunner): Promise<void> {
    // Adding a column with a constant default rewrites no row: the append-only triggers are not involved.
    await q.query(`ALTER TABLE identity.access_log ADD COLUMN scopes text[] NOT NULL DEFAULT '{}'`);
    // Grants are oidc-provider's JSON; a person's grants (connectedSystems, revokeConnectedSystem) are looked up by account and client.
    await q.query(`
      CREATE INDEX oidc_artifacts_grant_account_idx ON identity.oidc_artifacts ((payload->>'accountId'), (payload->>'clientId'))
      WHERE model = 'Grant'`);
    // A person's sign-ins to one system (first and last) without walking their whole log.
    await q.query(`
      CREATE INDEX access_log_sign_in_idx ON identity.access_log (account_id, accessor_id, occurred_at)
      WHERE action = 'SIGN_IN' AND accessor_kind = 'RELYING_SYSTEM'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX identity.access_log_sign_in_idx`);
    await q.query(`DROP INDEX identity.oidc_artifacts_grant_account_idx`);
    await q.query(`ALTER TABLE identity.access_log DROP COLUMN scopes`);
  }
}
