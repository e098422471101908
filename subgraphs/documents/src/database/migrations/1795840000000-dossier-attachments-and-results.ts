import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A dossier attaches its applicant's integrated documents by reference instead of paper copies; when its result
 * is itself a document (a new licence, a reissued card), the dossier keeps what the agency stated about it and,
 * once the result is returned, the document that entered the holder's wallet.
 */
export class DossierAttachmentsAndResults1795840000000 implements MigrationInterface {
  name = 'DossierAttachmentsAndResults1795840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents.dossier_attachments (
        dossier_id uuid NOT NULL REFERENCES documents.dossiers(id),
        document_id uuid NOT NULL REFERENCES documents.integrated_documents(id),
        attached_with text NOT NULL CHECK (attached_with IN ('SUBMISSION', 'SUPPLEMENT')),
        attached_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (dossier_id, document_id)
      )`);
    await q.query(`
      ALTER TABLE documents.dossiers
        ADD COLUMN result_document_facts jsonb,
        ADD COLUMN result_document_id uuid REFERENCES documents.integrated_documents(id),
        ADD CONSTRAINT dossiers_result_document_for_an_account CHECK (result_document_facts IS NULL OR applicant_account_id IS NOT NULL),
        ADD CONSTRAINT dossiers_result_document_when_returned CHECK (result_document_id IS NULL OR (status = 'RESULT_RETURNED' AND result_document_facts IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents.dossiers DROP COLUMN result_document_id, DROP COLUMN result_document_facts`);
    await q.query(`DROP TABLE documents.dossier_attachments`);
  }
}
