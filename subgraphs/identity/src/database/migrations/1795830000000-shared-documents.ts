import type { MigrationInterface, QueryRunner } from 'typeorm';

const DOCUMENT_TYPES = `ARRAY['CITIZEN_ID_CARD', 'DRIVING_LICENCE', 'HEALTH_INSURANCE_CARD', 'VEHICLE_REGISTRATION', 'VACCINATION_RECORD',
  'TEST_RESULT', 'PASSPORT', 'TAX_CODE', 'SOCIAL_INSURANCE_BOOK']::text[]`;

/**
 * Integrated documents a holder presents: with an identity QR code (up to five, by id), and to a partner through
 * consent (by type, within the types the partner may receive). The access log says which were presented. The
 * documents themselves live in the documents subgraph; identity keeps only what names them.
 */
export class SharedDocuments1795830000000 implements MigrationInterface {
  name = 'SharedDocuments1795830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE identity.qr_codes
        ADD COLUMN shared_document_ids uuid[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT qr_codes_shared_documents_limit CHECK (cardinality(shared_document_ids) <= 5)`);
    await q.query(`
      ALTER TABLE identity.partners
        ADD COLUMN allowed_document_types text[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT partners_allowed_document_types_known CHECK (allowed_document_types <@ ${DOCUMENT_TYPES})`);
    await q.query(`
      ALTER TABLE identity.consents
        ADD COLUMN document_types text[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT consents_document_types_known CHECK (document_types <@ ${DOCUMENT_TYPES})`);
    // Adding columns with a constant default rewrites no row: the append-only triggers are not involved.
    await q.query(`
      ALTER TABLE identity.access_log
        ADD COLUMN document_ids uuid[] NOT NULL DEFAULT '{}',
        ADD COLUMN document_types text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE identity.access_log DROP COLUMN document_types, DROP COLUMN document_ids`);
    await q.query(`ALTER TABLE identity.consents DROP COLUMN document_types`);
    await q.query(`ALTER TABLE identity.partners DROP COLUMN allowed_document_types`);
    await q.query(`ALTER TABLE identity.qr_codes DROP COLUMN shared_document_ids`);
  }
}
