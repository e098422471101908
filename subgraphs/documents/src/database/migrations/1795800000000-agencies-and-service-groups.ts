import type { MigrationInterface, QueryRunner } from 'typeorm';
import { foldForSearch } from '../../../../shared/src';
import { AGENCIES } from '../../agencies/agency.catalogue';
import { PASSPORT_ISSUE, SERVICE_DETAILS } from '../../public-services/service-groups';

/**
 * Agencies become rows of their own (services name them; the wallet's documents will too), and each service
 * gets its group, online level and processing time. The agency name a service row carried goes: the agency
 * says it, once. The eighth group arrives with its first service, the passport.
 */
export class AgenciesAndServiceGroups1795800000000 implements MigrationInterface {
  name = 'AgenciesAndServiceGroups1795800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents.agencies (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,20}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
        level text NOT NULL CHECK (level IN ('MINISTRY', 'PROVINCE', 'DISTRICT'))
      )`);
    await q.query(
      `INSERT INTO documents.agencies (code, name, level) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [AGENCIES.map((a) => a.code), AGENCIES.map((a) => a.name), AGENCIES.map((a) => a.level)],
    );
    // A development database may hold services of agencies this list does not know: they keep the name they had.
    await q.query(`
      INSERT INTO documents.agencies (code, name, level)
      SELECT DISTINCT ON (agency_code) agency_code, agency_name, 'MINISTRY' FROM documents.public_services
      ORDER BY agency_code ON CONFLICT (code) DO NOTHING`);

    const passportSearch = foldForSearch(`${PASSPORT_ISSUE.name} ${PASSPORT_ISSUE.code} ${AGENCIES.find((a) => a.code === PASSPORT_ISSUE.agencyCode)!.name}`);
    await q.query(
      `INSERT INTO documents.public_services (code, name, agency_code, agency_name, is_active, position, search_text)
       SELECT $1, $2, $3, '', true, COALESCE(MAX(position), 0) + 10, $4 FROM documents.public_services
       ON CONFLICT (code) DO NOTHING`,
      [PASSPORT_ISSUE.code, PASSPORT_ISSUE.name, PASSPORT_ISSUE.agencyCode, passportSearch],
    );
    await q.query(`ALTER TABLE documents.public_services DROP COLUMN agency_name`);
    await q.query(`ALTER TABLE documents.public_services ADD CONSTRAINT public_services_agency_fkey FOREIGN KEY (agency_code) REFERENCES documents.agencies(code)`);

    const groups = `'DRIVING_LICENCES', 'TRADE_PROMOTION', 'HEALTH_INSURANCE', 'ELECTRICITY_CONNECTION', 'BILL_PAYMENT', 'IDENTITY_CARDS', 'RESIDENCE', 'EXIT_AND_ENTRY'`;
    await q.query(`ALTER TABLE documents.public_services
      ADD COLUMN group_code text CHECK (group_code IN (${groups})),
      ADD COLUMN online_level text NOT NULL DEFAULT 'PARTIAL' CHECK (online_level IN ('FULL', 'PARTIAL')),
      ADD COLUMN processing_days smallint NOT NULL DEFAULT 7 CHECK (processing_days BETWEEN 1 AND 90)`);
    const codes = Object.keys(SERVICE_DETAILS);
    await q.query(
      `UPDATE documents.public_services s SET group_code = d.group_code, online_level = d.online_level, processing_days = d.processing_days
       FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[]) AS d(code, group_code, online_level, processing_days)
       WHERE s.code = d.code`,
      [codes, codes.map((c) => SERVICE_DETAILS[c].group), codes.map((c) => SERVICE_DETAILS[c].onlineLevel), codes.map((c) => SERVICE_DETAILS[c].processingDays)],
    );
    await q.query(`CREATE INDEX public_services_group_idx ON documents.public_services (group_code, position, code)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX documents.public_services_group_idx`);
    await q.query(`ALTER TABLE documents.public_services DROP COLUMN group_code, DROP COLUMN online_level, DROP COLUMN processing_days`);
    await q.query(`ALTER TABLE documents.public_services DROP CONSTRAINT public_services_agency_fkey`);
    await q.query(`ALTER TABLE documents.public_services ADD COLUMN agency_name text`);
    await q.query(`UPDATE documents.public_services s SET agency_name = a.name FROM documents.agencies a WHERE a.code = s.agency_code`);
    await q.query(`ALTER TABLE documents.public_services ALTER COLUMN agency_name SET NOT NULL`);
    await q.query(`DELETE FROM documents.public_services s WHERE s.code = $1 AND NOT EXISTS (SELECT 1 FROM documents.dossiers d WHERE d.service_code = s.code)`, [PASSPORT_ISSUE.code]);
    await q.query(`DROP TABLE documents.agencies`);
  }
}
