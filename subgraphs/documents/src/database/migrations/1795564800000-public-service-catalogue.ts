import type { MigrationInterface, QueryRunner } from 'typeorm';
import { foldForSearch } from '../../../../shared/src';
import { CATALOGUE } from '../../public-services/catalogue';

/**
 * The public service catalogue is reference data: production gets it by migrating, not from the development
 * seed. Entries that already exist (a development seed wrote them) are left as they are.
 */
export class PublicServiceCatalogue1795564800000 implements MigrationInterface {
  name = 'PublicServiceCatalogue1795564800000';

  async up(q: QueryRunner): Promise<void> {
    // search_text is folded in TypeScript with the same function the catalogue search folds its input with,
    // so both sides agree on what "doi giay phep" and "Đổi giấy phép" are. Positions leave room for insertions.
    const rows = CATALOGUE.map((s, i) => ({ ...s, position: (i + 1) * 10, searchText: foldForSearch(`${s.name} ${s.code} ${s.agencyName}`) }));
    await q.query(
      `INSERT INTO documents.public_services (code, name, agency_code, agency_name, is_active, position, search_text)
       SELECT code, name, agency_code, agency_name, true, position, search_text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[]) AS s(code, name, agency_code, agency_name, position, search_text)
       ON CONFLICT (code) DO NOTHING`,
      [rows.map((r) => r.code), rows.map((r) => r.name), rows.map((r) => r.agencyCode), rows.map((r) => r.agencyName), rows.map((r) => r.position), rows.map((r) => r.searchText)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // A service that dossiers refer to stays (the foreign key would refuse anyway): the dossiers are not this
    // migration's to delete, and the next step down drops the table with them.
    await q.query(
      `DELETE FROM documents.public_services s WHERE s.code = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM documents.dossiers d WHERE d.service_code = s.code)`,
      [CATALOGUE.map((s) => s.code)],
    );
  }
}
