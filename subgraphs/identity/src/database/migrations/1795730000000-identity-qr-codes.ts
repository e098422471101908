import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity QR codes (VNeID procedure): each code a holder makes, what it shares, until when it is valid,
 * and the one scan that used it: who verified which holder, when, from which postal point or agency. That
 * record is what may later justify the verifier reading the holder's data for a while, so a used row is
 * never changed again (trigger below) and single use is decided by the row itself
 * (`UPDATE … WHERE used_at IS NULL`), which survives restarts and holds across replicas.
 */
export class IdentityQrCodes1795730000000 implements MigrationInterface {
  name = 'IdentityQrCodes1795730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.qr_codes (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES identity.accounts(id),
        -- What a scan shows besides the level: always FULL_NAME and DATE_OF_BIRTH, plus what the holder chose.
        shared_attributes text[] NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        verified_by_account_id uuid,
        verified_by_role text CHECK (verified_by_role IN ('POSTAL_CLERK', 'OFFICIAL')),
        verified_postal_point_code text,
        verified_agency_code text,
        CONSTRAINT qr_codes_expire_after_creation CHECK (expires_at > created_at),
        CONSTRAINT qr_codes_used_by_someone CHECK ((used_at IS NULL) = (verified_by_account_id IS NULL) AND (used_at IS NULL) = (verified_by_role IS NULL))
      )`);
    await q.query(`CREATE INDEX qr_codes_account_idx ON identity.qr_codes (account_id, created_at DESC)`);
    // "Did this staff member verify this holder, and when?" (the rule that lets a verifier read the holder's data).
    await q.query(`CREATE INDEX qr_codes_verifications_idx ON identity.qr_codes (verified_by_account_id, account_id, used_at DESC) WHERE used_at IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION identity.qr_code_used_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'identity.qr_codes: a used code is final' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER qr_code_used_is_final BEFORE UPDATE ON identity.qr_codes
      FOR EACH ROW WHEN (OLD.used_at IS NOT NULL) EXECUTE FUNCTION identity.qr_code_used_is_final()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.qr_codes`);
    await q.query(`DROP FUNCTION identity.qr_code_used_is_final()`);
  }
}
