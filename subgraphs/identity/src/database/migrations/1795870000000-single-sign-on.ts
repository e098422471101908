import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on (OpenID Connect): the relying parties administrators register, and what the provider keeps between
 * requests (sessions, grants, interactions, authorization codes, refresh tokens), one row per artefact, so that a
 * restart or another replica continues every sign-in. Client secrets are stored only as a salted HMAC-SHA256.
 */
export class SingleSignOn1795870000000 implements MigrationInterface {
  name = 'SingleSignOn1795870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.relying_parties (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id text NOT NULL CHECK (client_id ~ '^rp-[a-z0-9]{16,40}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
        redirect_uris text[] NOT NULL CHECK (cardinality(redirect_uris) BETWEEN 1 AND 20),
        post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
        allowed_scopes text[] NOT NULL CHECK ('openid' = ANY (allowed_scopes)),
        allowed_levels smallint[] NOT NULL CHECK (cardinality(allowed_levels) > 0 AND allowed_levels <@ ARRAY[1, 2]::smallint[]),
        secret_hash text CHECK (secret_hash IS NULL OR secret_hash LIKE 'hmac-sha256$%'),
        confidential boolean GENERATED ALWAYS AS (secret_hash IS NOT NULL) STORED,
        active boolean NOT NULL DEFAULT true,
        created_by_account_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX relying_parties_client_id_key ON identity.relying_parties (client_id)`);
    await q.query(`CREATE UNIQUE INDEX relying_parties_name_key ON identity.relying_parties (lower(name))`);
    await q.query(`CREATE INDEX relying_parties_name_idx ON identity.relying_parties (name, id)`);
    await q.query(`
      CREATE TABLE identity.oidc_artifacts (
        model text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        grant_id text,
        user_code text,
        uid text,
        expires_at timestamptz,
        consumed_at timestamptz,
        PRIMARY KEY (model, id)
      )`);
    await q.query(`CREATE INDEX oidc_artifacts_grant_idx ON identity.oidc_artifacts (grant_id) WHERE grant_id IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_artifacts_uid_idx ON identity.oidc_artifacts (model, uid) WHERE uid IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_artifacts_user_code_idx ON identity.oidc_artifacts (model, user_code) WHERE user_code IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_artifacts_expires_idx ON identity.oidc_artifacts (expires_at) WHERE expires_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.oidc_artifacts`);
    await q.query(`DROP TABLE identity.relying_parties`);
  }
}
