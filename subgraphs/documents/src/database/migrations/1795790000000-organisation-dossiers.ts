import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A dossier may be submitted for an organisation (by its representative or a delegate acting for it). */
export class OrganisationDossiers1795790000000 implements MigrationInterface {
  name = 'OrganisationDossiers1795790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents.dossiers ADD COLUMN organisation_id uuid`);
    await q.query(`CREATE INDEX dossiers_organisation_idx ON documents.dossiers (organisation_id, submitted_at DESC, id DESC) WHERE organisation_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX documents.dossiers_organisation_idx`);
    await q.query(`ALTER TABLE documents.dossiers DROP COLUMN organisation_id`);
  }
}
