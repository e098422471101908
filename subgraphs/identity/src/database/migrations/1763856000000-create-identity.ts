import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentity1763856000000 implements MigrationInterface {
  name = 'CreateIdentity1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('CITIZEN', 'FOREIGNER', 'ORGANISATION')),
        role text NOT NULL CHECK (role IN ('CITIZEN', 'POSTAL_CLERK', 'OFFICIAL', 'PARTNER_BANK', 'FINANCE', 'ADMINISTRATOR')),
        username text NOT NULL,
        personal_id_number text CHECK (personal_id_number ~ '^[0-9]{12}$'),
        full_name text NOT NULL,
        date_of_birth date,
        gender text CHECK (gender IN ('MALE', 'FEMALE')),
        phone text NOT NULL,
        email text,
        password_hash text NOT NULL,
        level text CHECK (level IN ('LEVEL_1', 'LEVEL_2')),
        status text NOT NULL CHECK (status IN ('PENDING_PHONE_VERIFICATION', 'PENDING_IN_PERSON_VERIFICATION', 'ACTIVE', 'LOCKED', 'SUSPENDED', 'REVOKED')),
        verification_postal_point_code text,
        postal_point_code text,
        agency_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT clerk_has_postal_point CHECK (role <> 'POSTAL_CLERK' OR postal_point_code IS NOT NULL),
        CONSTRAINT official_has_agency CHECK (role <> 'OFFICIAL' OR agency_code IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX accounts_username_key ON identity.accounts (lower(username))`);
    await q.query(`CREATE UNIQUE INDEX accounts_personal_id_number_key ON identity.accounts (personal_id_number) WHERE personal_id_number IS NOT NULL`);
    await q.query(`
      CREATE TABLE identity.otp_challenges (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES identity.accounts(id),
        purpose text NOT NULL CHECK (purpose IN ('PHONE_VERIFICATION', 'LOGIN')),
        phone text NOT NULL,
        code_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        failed_attempts int NOT NULL DEFAULT 0,
        sends int NOT NULL DEFAULT 1,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX otp_challenges_account_idx ON identity.otp_challenges (account_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE identity.refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES identity.accounts(id),
        family_id uuid NOT NULL,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        replaced_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON identity.refresh_tokens (family_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.refresh_tokens`);
    await q.query(`DROP TABLE identity.otp_challenges`);
    await q.query(`DROP TABLE identity.accounts`);
  }
}
