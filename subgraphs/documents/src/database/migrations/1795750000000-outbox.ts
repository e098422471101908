import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxIndex, outboxTable } from '../../../../shared/src/events/outbox';

/**
 * The documents subgraph's outbox (events for other subgraphs, written with the change they announce).
 * Existing dossiers are announced once, so subgraphs that start listening now learn of them too.
 */
export class Outbox1795750000000 implements MigrationInterface {
  name = 'Outbox1795750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(outboxTable('documents'));
    await q.query(outboxIndex('documents'));
    await q.query(`
      INSERT INTO documents.outbox (type, payload)
      SELECT 'dossier.parties', jsonb_build_object('dossierId', d.id, 'applicantAccountId', d.applicant_account_id,
             'agencyCode', s.agency_code, 'receivedPostalPointCode', d.received_postal_point_code)
      FROM documents.dossiers d JOIN documents.public_services s ON s.code = d.service_code
      ORDER BY d.submitted_at, d.id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE documents.outbox`);
  }
}
