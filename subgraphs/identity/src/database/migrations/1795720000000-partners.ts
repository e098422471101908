import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partners (banks doing eKYC): machine clients registered by administrators. The client secret is stored only as
 * a salted HMAC-SHA256 (see partners/partner-secret.ts); names are unique, as citizens choose partners by name.
 */
export class Partners1795720000000 implements MigrationInterface {
  name = 'Partners1795720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.partners (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id text NOT NULL CHECK (client_id ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
        purpose text NOT NULL CHECK (length(purpose) BETWEEN 3 AND 500),
        allowed_attributes text[] NOT NULL CHECK (cardinality(allowed_attributes) > 0),
        secret_hash text NOT NULL CHECK (secret_hash LIKE 'hmac-sha256$%'),
        secret_rotated_at timestamptz NOT NULL DEFAULT now(),
        active boolean NOT NULL DEFAULT true,
        created_by_account_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX partners_client_id_key ON identity.partners (client_id)`);
    await q.query(`CREATE UNIQUE INDEX partners_name_key ON identity.partners (lower(name))`);
    await q.query(`CREATE INDEX partners_name_idx ON identity.partners (name, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.partners`);
  }
}
