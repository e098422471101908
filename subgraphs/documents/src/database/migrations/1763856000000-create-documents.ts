import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDocuments1763856000000 implements MigrationInterface {
  name = 'CreateDocuments1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents.public_services (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,40}$'),
        name text NOT NULL,
        agency_code text NOT NULL,
        agency_name text NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        position int NOT NULL,
        search_text text NOT NULL
      )`);
    await q.query(`CREATE INDEX public_services_order_idx ON documents.public_services (position, code)`);
    const statuses = `'SUBMITTED', 'RECEIVED', 'IN_PROCESSING', 'NEEDS_SUPPLEMENT', 'RESULT_READY', 'RESULT_RETURNED', 'REJECTED', 'CANCELLED'`;
    // Millisecond precision: pagination cursors carry JavaScript dates, which have no microseconds.
    await q.query(`
      CREATE TABLE documents.dossiers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        registration_code text NOT NULL CONSTRAINT dossiers_registration_code_key UNIQUE,
        service_code text NOT NULL REFERENCES documents.public_services(code),
        applicant_account_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN (${statuses})),
        channel text NOT NULL CHECK (channel IN ('ONLINE', 'POSTAL_POINT')),
        appointment_date date NOT NULL,
        delivery_method text NOT NULL CHECK (delivery_method IN ('PICKUP', 'POSTAL_DELIVERY')),
        delivery_address text,
        received_postal_point_code text,
        submitted_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT delivery_needs_address CHECK (delivery_method <> 'POSTAL_DELIVERY' OR delivery_address IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX dossiers_applicant_idx ON documents.dossiers (applicant_account_id, submitted_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE documents.dossier_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dossier_id uuid NOT NULL REFERENCES documents.dossiers(id),
        from_status text CHECK (from_status IN (${statuses})),
        to_status text NOT NULL CHECK (to_status IN (${statuses})),
        actor_account_id uuid NOT NULL,
        reason text,
        occurred_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dossier_events_dossier_idx ON documents.dossier_events (dossier_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE documents.dossier_events`);
    await q.query(`DROP TABLE documents.dossiers`);
    await q.query(`DROP TABLE documents.public_services`);
  }
}
