import type { MigrationInterface, QueryRunner } from 'typeorm';

const TYPES = `'CITIZEN_ID_CARD', 'DRIVING_LICENCE', 'HEALTH_INSURANCE_CARD', 'VEHICLE_REGISTRATION', 'VACCINATION_RECORD', 'TEST_RESULT', 'PASSPORT', 'TAX_CODE', 'SOCIAL_INSURANCE_BOOK'`;
const LICENCE_CLASSES = `'A1', 'A', 'B1', 'B', 'C1', 'C', 'D1', 'D2', 'D', 'BE', 'C1E', 'CE', 'D1E', 'D2E', 'DE'`;

/**
 * The wallet (ví giấy tờ): integrated documents, one per type and number, and holders' requests to add one.
 * A document's status is not a column: REVOKED is `revoked_at`, EXPIRED is read from `expires_on` against
 * today in Vietnam, so nothing has to run at midnight for a document to expire.
 */
export class IntegratedDocuments1795820000000 implements MigrationInterface {
  name = 'IntegratedDocuments1795820000000';

  async up(q: QueryRunner): Promise<void> {
    // Millisecond precision: pagination cursors carry JavaScript dates, which have no microseconds.
    await q.query(`
      CREATE TABLE documents.integrated_documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL CHECK (type IN (${TYPES})),
        number text NOT NULL CHECK (number <> '' AND number = upper(btrim(number))),
        holder_account_id uuid NOT NULL,
        issuer_agency_code text NOT NULL REFERENCES documents.agencies(code),
        issued_on date NOT NULL,
        expires_on date,
        licence_classes text[] NOT NULL DEFAULT '{}' CHECK (licence_classes <@ ARRAY[${LICENCE_CLASSES}]::text[]),
        backed_by_issuer boolean NOT NULL,
        revoked_at timestamptz(3),
        revocation_reason text,
        revoked_by_account_id uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT integrated_documents_type_number_key UNIQUE (type, number),
        CONSTRAINT integrated_documents_expiry_after_issue CHECK (expires_on IS NULL OR expires_on > issued_on),
        CONSTRAINT integrated_documents_classes_only_for_licences CHECK (type = 'DRIVING_LICENCE' OR cardinality(licence_classes) = 0),
        CONSTRAINT integrated_documents_revocation_has_reason CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
      )`);
    // A wallet page: the holder's documents, newest issued first.
    await q.query(`CREATE INDEX integrated_documents_holder_idx ON documents.integrated_documents (holder_account_id, issued_on DESC, id DESC)`);

    const statuses = `'PENDING', 'APPROVED', 'REFUSED'`;
    await q.query(`
      CREATE TABLE documents.document_integration_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        holder_account_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN (${TYPES})),
        number text NOT NULL CHECK (number <> '' AND number = upper(btrim(number))),
        issuer_agency_code text NOT NULL REFERENCES documents.agencies(code),
        status text NOT NULL CHECK (status IN (${statuses})),
        requested_at timestamptz(3) NOT NULL DEFAULT now(),
        decided_at timestamptz(3),
        decided_by_account_id uuid,
        refusal_reason text,
        document_id uuid REFERENCES documents.integrated_documents(id),
        CONSTRAINT document_integration_requests_decision CHECK ((status = 'PENDING') = (decided_at IS NULL AND decided_by_account_id IS NULL)),
        CONSTRAINT document_integration_requests_approved_has_document CHECK ((status = 'APPROVED') = (document_id IS NOT NULL)),
        CONSTRAINT document_integration_requests_refused_has_reason CHECK ((status = 'REFUSED') = (refusal_reason IS NOT NULL))
      )`);
    // Asking twice for the same document while the first request waits gives back the first.
    await q.query(`CREATE UNIQUE INDEX document_integration_requests_one_pending ON documents.document_integration_requests (holder_account_id, type, number) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX document_integration_requests_holder_idx ON documents.document_integration_requests (holder_account_id, requested_at DESC, id DESC)`);
    // An agency's queue, oldest first; the pending part of it on its own, as it is what officials work through.
    await q.query(`CREATE INDEX document_integration_requests_agency_idx ON documents.document_integration_requests (issuer_agency_code, requested_at, id)`);
    await q.query(`CREATE INDEX document_integration_requests_pending_idx ON documents.document_integration_requests (issuer_agency_code, requested_at, id) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE documents.document_integration_requests`);
    await q.query(`DROP TABLE documents.integrated_documents`);
  }
}
