import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registrations become claims: an account is created only when a claim proves its phone (see
 * registrations/registration.service.ts). One-time codes may now belong to a claim instead of an account.
 *
 * Data: accounts still waiting for their phone (status PENDING_PHONE_VERIFICATION, written by the earlier
 * registration) become pending claims with the same id, their codes move with them, and the account rows go:
 * nobody had proved the phone, so nobody owned them. Their old codes were stored as plain SHA-256 and no
 * longer verify; `resendOtp` sends a new one (each claim keeps a day for that).
 */
export class RegistrationClaims1795654800000 implements MigrationInterface {
  name = 'RegistrationClaims1795654800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.registration_claims (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        personal_id_number text NOT NULL CHECK (personal_id_number ~ '^[0-9]{12}$'),
        phone text NOT NULL,
        full_name text NOT NULL,
        date_of_birth date NOT NULL,
        gender text NOT NULL CHECK (gender IN ('MALE', 'FEMALE')),
        email text,
        password_hash text NOT NULL,
        verification_postal_point_code text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'SUPERSEDED', 'DECOY')),
        account_id uuid REFERENCES identity.accounts(id),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT confirmed_claim_has_account CHECK ((status = 'CONFIRMED') = (account_id IS NOT NULL))
      )`);
    // One pending claim per number and phone: a registration of the same pair replaces it (INSERT … ON
    // CONFLICT … DO UPDATE); other phones get claims of their own. Also serves "the pending claims of a number".
    await q.query(`CREATE UNIQUE INDEX registration_claims_pending_key ON identity.registration_claims (personal_id_number, phone) WHERE status = 'PENDING'`);

    await q.query(`ALTER TABLE identity.otp_challenges
      ALTER COLUMN account_id DROP NOT NULL,
      ADD COLUMN claim_id uuid REFERENCES identity.registration_claims(id),
      ADD COLUMN decoy boolean NOT NULL DEFAULT false`);

    await q.query(`
      INSERT INTO identity.registration_claims (id, personal_id_number, phone, full_name, date_of_birth, gender, email, password_hash,
        verification_postal_point_code, status, expires_at, created_at, updated_at)
      SELECT a.id, a.personal_id_number, a.phone, a.full_name, a.date_of_birth, a.gender, a.email, a.password_hash,
        a.verification_postal_point_code, 'PENDING', now() + interval '1 day', a.created_at, a.updated_at
      FROM identity.accounts a
      WHERE a.status = 'PENDING_PHONE_VERIFICATION' AND a.personal_id_number IS NOT NULL AND a.date_of_birth IS NOT NULL
        AND a.gender IS NOT NULL AND a.verification_postal_point_code IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM identity.refresh_tokens r WHERE r.account_id = a.id)`);
    // A pending account could not log in, so it has no login codes; were there any, they would go with it.
    await q.query(`DELETE FROM identity.otp_challenges WHERE purpose <> 'PHONE_VERIFICATION' AND account_id IN (SELECT id FROM identity.registration_claims)`);
    await q.query(`UPDATE identity.otp_challenges SET claim_id = account_id, account_id = NULL WHERE account_id IN (SELECT id FROM identity.registration_claims)`);
    await q.query(`DELETE FROM identity.accounts WHERE id IN (SELECT id FROM identity.registration_claims)`);

    await q.query(`ALTER TABLE identity.otp_challenges
      ADD CONSTRAINT otp_challenge_has_one_owner CHECK (num_nonnulls(account_id, claim_id) = 1),
      ADD CONSTRAINT login_challenge_has_account CHECK (purpose <> 'LOGIN' OR account_id IS NOT NULL)`);
    await q.query(`CREATE INDEX otp_challenges_claim_idx ON identity.otp_challenges (claim_id) WHERE claim_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE identity.otp_challenges DROP CONSTRAINT otp_challenge_has_one_owner, DROP CONSTRAINT login_challenge_has_account`);
    // The newest pending claim of each number that has no account goes back to being a pending account.
    await q.query(`
      INSERT INTO identity.accounts (id, kind, role, username, personal_id_number, full_name, date_of_birth, gender, phone, email,
        password_hash, level, status, verification_postal_point_code, created_at, updated_at)
      SELECT DISTINCT ON (c.personal_id_number) c.id, 'CITIZEN', 'CITIZEN', c.personal_id_number, c.personal_id_number, c.full_name,
        c.date_of_birth, c.gender, c.phone, c.email, c.password_hash, NULL, 'PENDING_PHONE_VERIFICATION', c.verification_postal_point_code,
        c.created_at, c.updated_at
      FROM identity.registration_claims c
      WHERE c.status = 'PENDING'
        AND NOT EXISTS (SELECT 1 FROM identity.accounts a WHERE a.personal_id_number = c.personal_id_number OR lower(a.username) = lower(c.personal_id_number))
      ORDER BY c.personal_id_number, c.updated_at DESC`);
    await q.query(`UPDATE identity.otp_challenges o SET account_id = o.claim_id FROM identity.accounts a WHERE a.id = o.claim_id`);
    await q.query(`DELETE FROM identity.otp_challenges WHERE account_id IS NULL`);
    await q.query(`DROP INDEX identity.otp_challenges_claim_idx`);
    await q.query(`ALTER TABLE identity.otp_challenges DROP COLUMN claim_id, DROP COLUMN decoy, ALTER COLUMN account_id SET NOT NULL`);
    await q.query(`DROP TABLE identity.registration_claims`);
  }
}
