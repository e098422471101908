import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What other subgraphs tell identity about a person's dealings (events, not calls): an applicant of a
 * dossier handled by an agency or received at a postal point. Each row justifies staff of that agency or
 * point reading the person's data (see accounts/personal-data.ts).
 */
export class AccountRelations1795750000000 implements MigrationInterface {
  name = 'AccountRelations1795750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.account_relations (
        source text NOT NULL,
        source_id text NOT NULL,
        account_id uuid NOT NULL,
        postal_point_code text,
        agency_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, source_id)
      )`);
    await q.query(`CREATE INDEX account_relations_account_idx ON identity.account_relations (account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.account_relations`);
  }
}
