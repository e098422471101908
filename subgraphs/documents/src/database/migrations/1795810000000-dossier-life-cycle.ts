import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PUBLIC_HOLIDAYS } from '../../dossiers/public-holidays';

/**
 * The whole life cycle of a dossier. A dossier keeps the agency that handles it (its service's, when it was
 * submitted), when it was received and by whom it was submitted, the applicant's declaration, and a
 * cash-on-delivery amount for a result sent by post. A person without an account can hand in a paper dossier
 * at a postal counter: the dossier then names them instead of an account. Every transition records the
 * actor's role. Appointments are working days, so the public holidays get a table.
 */
export class DossierLifeCycle1795810000000 implements MigrationInterface {
  name = 'DossierLifeCycle1795810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE documents.dossiers
        ALTER COLUMN applicant_account_id DROP NOT NULL,
        ADD COLUMN applicant_name text CHECK (length(applicant_name) BETWEEN 2 AND 200),
        ADD COLUMN applicant_id_number text CHECK (applicant_id_number ~ '^[0-9]{12}$'),
        ADD COLUMN agency_code text REFERENCES documents.agencies(code),
        ADD COLUMN declared_at timestamptz(3),
        ADD COLUMN received_at timestamptz(3),
        ADD COLUMN submitted_by_account_id uuid,
        ADD COLUMN cash_on_delivery bigint CHECK (cash_on_delivery > 0 AND cash_on_delivery <= 100000000000),
        ADD CONSTRAINT dossiers_applicant_known CHECK (
          (applicant_account_id IS NOT NULL AND applicant_name IS NULL AND applicant_id_number IS NULL)
          OR (applicant_account_id IS NULL AND applicant_name IS NOT NULL AND applicant_id_number IS NOT NULL AND channel = 'POSTAL_POINT')),
        ADD CONSTRAINT dossiers_cash_on_delivery_by_post CHECK (cash_on_delivery IS NULL OR delivery_method = 'POSTAL_DELIVERY'),
        ADD CONSTRAINT dossiers_received_has_time CHECK (status IN ('SUBMITTED', 'CANCELLED', 'REJECTED') OR received_at IS NOT NULL)`);
    await q.query(`UPDATE documents.dossiers d SET agency_code = s.agency_code FROM documents.public_services s WHERE s.code = d.service_code`);
    await q.query(`ALTER TABLE documents.dossiers ALTER COLUMN agency_code SET NOT NULL`);
    // A dossier written without its agency (a script, a seed) gets its service's, as the service writes it.
    await q.query(`
      CREATE FUNCTION documents.dossiers_default_agency() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.agency_code IS NULL THEN
          SELECT s.agency_code INTO NEW.agency_code FROM documents.public_services s WHERE s.code = NEW.service_code;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER dossiers_default_agency BEFORE INSERT ON documents.dossiers
      FOR EACH ROW EXECUTE FUNCTION documents.dossiers_default_agency()`);
    await q.query(`
      UPDATE documents.dossiers d SET received_at = COALESCE(
        (SELECT min(e.occurred_at) FROM documents.dossier_events e WHERE e.dossier_id = d.id AND e.to_status = 'RECEIVED'), d.updated_at)
      WHERE d.status NOT IN ('SUBMITTED', 'CANCELLED', 'REJECTED')`);
    await q.query(`CREATE INDEX dossiers_agency_idx ON documents.dossiers (agency_code, submitted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX dossiers_agency_status_idx ON documents.dossiers (agency_code, status, submitted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX dossiers_postal_point_idx ON documents.dossiers (received_postal_point_code, submitted_at DESC, id DESC) WHERE received_postal_point_code IS NOT NULL`);

    await q.query(`ALTER TABLE documents.dossier_events ADD COLUMN actor_role text`);
    await q.query(`UPDATE documents.dossier_events SET actor_role = 'CITIZEN' WHERE to_status = 'SUBMITTED'`);
    // The history is what happened: no row is ever changed or removed.
    await q.query(`
      CREATE FUNCTION documents.dossier_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'dossier history is append-only' USING ERRCODE = 'check_violation'; END $$`);
    await q.query(`
      CREATE TRIGGER dossier_events_append_only BEFORE UPDATE OR DELETE ON documents.dossier_events
      FOR EACH ROW EXECUTE FUNCTION documents.dossier_events_append_only()`);

    await q.query(`
      CREATE TABLE documents.public_holidays (
        day date PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 100)
      )`);
    await q.query(
      `INSERT INTO documents.public_holidays (day, name) SELECT * FROM unnest($1::date[], $2::text[]) ON CONFLICT (day) DO NOTHING`,
      [PUBLIC_HOLIDAYS.map((h) => h.day), PUBLIC_HOLIDAYS.map((h) => h.name)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE documents.public_holidays`);
    await q.query(`DROP TRIGGER dossier_events_append_only ON documents.dossier_events`);
    await q.query(`DROP FUNCTION documents.dossier_events_append_only()`);
    await q.query(`ALTER TABLE documents.dossier_events DROP COLUMN actor_role`);
    await q.query(`DROP TRIGGER dossiers_default_agency ON documents.dossiers`);
    await q.query(`DROP FUNCTION documents.dossiers_default_agency()`);
    await q.query(`DROP INDEX documents.dossiers_postal_point_idx`);
    await q.query(`DROP INDEX documents.dossiers_agency_status_idx`);
    await q.query(`DROP INDEX documents.dossiers_agency_idx`);
    // Dossiers of people without an account cannot be kept in the older shape, which needs an account.
    await q.query(`DELETE FROM documents.dossier_events e USING documents.dossiers d WHERE d.id = e.dossier_id AND d.applicant_account_id IS NULL`);
    await q.query(`DELETE FROM documents.dossiers WHERE applicant_account_id IS NULL`);
    await q.query(`
      ALTER TABLE documents.dossiers
        DROP CONSTRAINT dossiers_applicant_known, DROP CONSTRAINT dossiers_cash_on_delivery_by_post, DROP CONSTRAINT dossiers_received_has_time,
        DROP COLUMN applicant_name, DROP COLUMN applicant_id_number, DROP COLUMN agency_code, DROP COLUMN declared_at,
        DROP COLUMN received_at, DROP COLUMN submitted_by_account_id, DROP COLUMN cash_on_delivery,
        ALTER COLUMN applicant_account_id SET NOT NULL`);
  }
}
