import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1763942400000 implements MigrationInterface {
  name = 'CreatePayments1763942400000';

  async up(q: QueryRunner): Promise<void> {
    // unaccent is a trusted contrib extension (a database owner may create it). Another subgraph may already have
    // created it in some schema, so its schema is looked up rather than assumed.
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    const [{ schema }] = (await q.query(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'`,
    )) as { schema: string }[];
    const unaccent = `"${schema.replace(/"/g, '""')}"`;
    // unaccent() is only STABLE (its dictionary could change), so a generated column cannot call it. Naming the
    // dictionary explicitly makes the result fixed, which is what IMMUTABLE promises; a changed dictionary would
    // need the column rewritten. It folds "Hà Nội" and "HA NOI" to "ha noi" (and đ to d).
    await q.query(`
      CREATE FUNCTION payments.search_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT lower(${unaccent}.unaccent('${unaccent}.unaccent'::regdictionary, $1)) $$`);
    await q.query(`
      CREATE TABLE payments.postal_points (
        code text PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('POST_OFFICE', 'COMMUNE_CULTURAL_POST_OFFICE', 'AGENT')),
        province_code text NOT NULL CHECK (province_code ~ '^[0-9]{3}$'),
        province_name text NOT NULL,
        district text NOT NULL,
        address text NOT NULL,
        phone text NOT NULL,
        is_open boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_text text GENERATED ALWAYS AS (payments.search_fold(name || ' ' || district || ' ' || address)) STORED
      )`);
    // Province lists page by code within a province. Search is a substring match over ~13,000 short rows: a scan
    // in code order that stops at the page size is cheap enough; pg_trgm would be the next step.
    await q.query(`CREATE INDEX postal_points_province_code_idx ON payments.postal_points (province_code, code)`);
    await q.query(`
      CREATE TABLE payments.fee_schedule_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service_code text NOT NULL,
        name text NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        position int NOT NULL CHECK (position >= 1),
        CONSTRAINT fee_schedule_items_service_position_key UNIQUE (service_code, position)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payments.fee_schedule_items`);
    await q.query(`DROP TABLE payments.postal_points`);
    await q.query(`DROP FUNCTION payments.search_fold(text)`);
  }
}
