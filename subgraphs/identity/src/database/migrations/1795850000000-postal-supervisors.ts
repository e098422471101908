import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A postal point's supervisor (trưởng bưu cục) is an account bound to one postal point, as its clerks are. */
export class PostalSupervisors1795850000000 implements MigrationInterface {
  name = 'PostalSupervisors1795850000000';

  async up(q: QueryRunner): Promise<void> {
    const [check] = await q.query(`
      SELECT conname FROM pg_constraint
      WHERE conrelid = 'identity.accounts'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%''ADMINISTRATOR''%' AND pg_get_constraintdef(oid) LIKE '%role%'`);
    await q.query(`ALTER TABLE identity.accounts DROP CONSTRAINT "${check.conname}"`);
    await q.query(`ALTER TABLE identity.accounts ADD CONSTRAINT accounts_role_check
      CHECK (role IN ('CITIZEN', 'POSTAL_CLERK', 'POSTAL_SUPERVISOR', 'OFFICIAL', 'PARTNER_BANK', 'FINANCE', 'ADMINISTRATOR'))`);
    await q.query(`ALTER TABLE identity.accounts DROP CONSTRAINT clerk_has_postal_point`);
    await q.query(`ALTER TABLE identity.accounts ADD CONSTRAINT clerk_has_postal_point CHECK (role NOT IN ('POSTAL_CLERK', 'POSTAL_SUPERVISOR') OR postal_point_code IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The older shape has no supervisors: they become clerks of their point (they keep their account, lose no data).
    await q.query(`UPDATE identity.accounts SET role = 'POSTAL_CLERK' WHERE role = 'POSTAL_SUPERVISOR'`);
    await q.query(`ALTER TABLE identity.accounts DROP CONSTRAINT clerk_has_postal_point`);
    await q.query(`ALTER TABLE identity.accounts ADD CONSTRAINT clerk_has_postal_point CHECK (role <> 'POSTAL_CLERK' OR postal_point_code IS NOT NULL)`);
    await q.query(`ALTER TABLE identity.accounts DROP CONSTRAINT accounts_role_check`);
    await q.query(`ALTER TABLE identity.accounts ADD CONSTRAINT accounts_role_check
      CHECK (role IN ('CITIZEN', 'POSTAL_CLERK', 'OFFICIAL', 'PARTNER_BANK', 'FINANCE', 'ADMINISTRATOR'))`);
  }
}
