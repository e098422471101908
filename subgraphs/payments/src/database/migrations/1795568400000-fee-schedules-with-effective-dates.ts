import type { MigrationInterface, QueryRunner } from 'typeorm';
import { FEE_SCHEDULES, FEE_SCHEDULES_IN_FORCE_FROM } from '../../fee-schedules/fee-schedule.catalogue';

/**
 * Fee schedules become dated and explicit. A schedule is in force from `effective_from` to `effective_to` (both
 * days included, Vietnam calendar; no end = until replaced), a service's schedules never overlap, and a free
 * service is a schedule with no items: a service without a schedule in force cannot be charged at all, instead
 * of reading as free. The opening catalogue arrives here so that production gets it by migrating.
 */
export class FeeSchedulesWithEffectiveDates1795568400000 implements MigrationInterface {
  name = 'FeeSchedulesWithEffectiveDates1795568400000';

  async up(q: QueryRunner): Promise<void> {
    // btree_gist lets one GiST exclusion constraint combine "same service" (text =) with "overlapping days"
    // (daterange &&). It is trusted (a database owner may create it). Its operator classes are found as the
    // default for text whatever schema it lands in, so unlike unaccent its schema needs no lookup.
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE payments.fee_schedules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service_code text NOT NULL CHECK (service_code ~ '^[A-Z][A-Z0-9_]{0,63}$'),
        effective_from date NOT NULL,
        effective_to date,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fee_schedules_period_check CHECK (effective_to IS NULL OR effective_to >= effective_from),
        CONSTRAINT fee_schedules_no_overlap EXCLUDE USING gist (service_code WITH =, daterange(effective_from, effective_to, '[]') WITH &&)
      )`);

    // Items a development seed already wrote keep their amounts: each service that has some gets one schedule
    // holding them, in force from the same day as the catalogue's.
    await q.query(
      `INSERT INTO payments.fee_schedules (service_code, effective_from)
       SELECT DISTINCT service_code, $1::date FROM payments.fee_schedule_items`,
      [FEE_SCHEDULES_IN_FORCE_FROM],
    );
    await q.query(`ALTER TABLE payments.fee_schedule_items ADD COLUMN schedule_id uuid REFERENCES payments.fee_schedules(id) ON DELETE CASCADE`);
    await q.query(`UPDATE payments.fee_schedule_items i SET schedule_id = s.id FROM payments.fee_schedules s WHERE s.service_code = i.service_code`);
    await q.query(`ALTER TABLE payments.fee_schedule_items ALTER COLUMN schedule_id SET NOT NULL`);
    await q.query(`ALTER TABLE payments.fee_schedule_items DROP CONSTRAINT fee_schedule_items_service_position_key`);
    // The schedule says which service; a second copy on each item could only disagree with it.
    await q.query(`ALTER TABLE payments.fee_schedule_items DROP COLUMN service_code`);
    await q.query(`ALTER TABLE payments.fee_schedule_items ADD CONSTRAINT fee_schedule_items_schedule_position_key UNIQUE (schedule_id, position)`);

    // The catalogue, for every service that has no schedule yet (so it never duplicates what was moved above).
    // Free services get their empty schedule here too: that is what states them free.
    for (const [serviceCode, items] of Object.entries(FEE_SCHEDULES)) {
      await q.query(
        `WITH schedule AS (
           INSERT INTO payments.fee_schedules (service_code, effective_from)
           SELECT $1, $2::date WHERE NOT EXISTS (SELECT 1 FROM payments.fee_schedules WHERE service_code = $1)
           RETURNING id
         )
         INSERT INTO payments.fee_schedule_items (schedule_id, name, amount, position)
         SELECT schedule.id, item.name, item.amount, item.position
         FROM schedule, unnest($3::text[], $4::bigint[]) WITH ORDINALITY AS item(name, amount, position)`,
        [serviceCode, FEE_SCHEDULES_IN_FORCE_FROM, items.map((i) => i.name), items.map((i) => i.amount.toString())],
      );
    }
  }

  /**
   * Back to one undated list per service. That shape has no history and reads a missing list as free, so each
   * service keeps only the schedule in force today (else its latest one); the others are deleted.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments.fee_schedule_items ADD COLUMN service_code text`);
    await q.query(`
      WITH kept AS (
        SELECT DISTINCT ON (service_code) id, service_code
        FROM payments.fee_schedules, (SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS today) AS vietnam
        ORDER BY service_code,
                 (effective_from <= vietnam.today AND (effective_to IS NULL OR effective_to >= vietnam.today)) DESC,
                 effective_from DESC
      )
      UPDATE payments.fee_schedule_items i SET service_code = kept.service_code FROM kept WHERE i.schedule_id = kept.id`);
    await q.query(`DELETE FROM payments.fee_schedule_items WHERE service_code IS NULL`);
    await q.query(`ALTER TABLE payments.fee_schedule_items ALTER COLUMN service_code SET NOT NULL`);
    await q.query(`ALTER TABLE payments.fee_schedule_items DROP CONSTRAINT fee_schedule_items_schedule_position_key`);
    await q.query(`ALTER TABLE payments.fee_schedule_items DROP COLUMN schedule_id`);
    await q.query(`ALTER TABLE payments.fee_schedule_items ADD CONSTRAINT fee_schedule_items_service_position_key UNIQUE (service_code, position)`);
    await q.query(`DROP TABLE payments.fee_schedules`);
    // btree_gist stays, like unaccent: an extension belongs to the database, and another schema may use it.
  }
}
