import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foreigners (người nước ngoài) register online like citizens, so a registration claim may now claim a
 * passport number with its nationality instead of a personal identification number: exactly one of the
 * two identities, never both, never neither. Existing claims are all citizens' and keep their number.
 *
 * One pending claim per identity and phone: the citizens' index (registration_claims_pending_key, on the
 * number and phone) is left as it was (a foreigner's claim has no number, and NULLs never conflict), and the
 * foreigners' gets its own, which `INSERT … ON CONFLICT (nationality, passport_number, phone)` names. It also
 * serves "the pending claims of a passport".
 */
export class ForeignerRegistrationClaims1795770000000 implements MigrationInterface {
  name = 'ForeignerRegistrationClaims1795770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE identity.registration_claims
        ALTER COLUMN personal_id_number DROP NOT NULL,
        ADD COLUMN passport_number text CHECK (passport_number ~ '^[A-Z0-9]{6,20}$'),
        ADD COLUMN nationality text CHECK (nationality ~ '^[A-Z]{2}$'),
        ADD CONSTRAINT claim_has_one_identity CHECK (
          (personal_id_number IS NOT NULL AND passport_number IS NULL AND nationality IS NULL)
          OR (personal_id_number IS NULL AND passport_number IS NOT NULL AND nationality IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX registration_claims_pending_passport_key ON identity.registration_claims (nationality, passport_number, phone) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Foreigners' claims cannot be kept without their identity; their accounts (if any) stay.
    await q.query(`DELETE FROM identity.otp_challenges WHERE claim_id IN (SELECT id FROM identity.registration_claims WHERE personal_id_number IS NULL)`);
    await q.query(`DELETE FROM identity.registration_claims WHERE personal_id_number IS NULL`);
    await q.query(`DROP INDEX identity.registration_claims_pending_passport_key`);
    await q.query(`
      ALTER TABLE identity.registration_claims
        DROP CONSTRAINT claim_has_one_identity,
        DROP COLUMN passport_number,
        DROP COLUMN nationality,
        ALTER COLUMN personal_id_number SET NOT NULL`);
  }
}
