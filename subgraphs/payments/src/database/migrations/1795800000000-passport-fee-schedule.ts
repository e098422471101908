import type { MigrationInterface, QueryRunner } from 'typeorm';
import { FEE_SCHEDULES_IN_FORCE_FROM } from '../../fee-schedules/fee-schedule.catalogue';

/** The passport (PASSPORT_ISSUE, added to the documents catalogue with the eighth service group): 200,000 đồng. */
export class PassportFeeSchedule1795800000000 implements MigrationInterface {
  name = 'PassportFeeSchedule1795800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `WITH schedule AS (
         INSERT INTO payments.fee_schedules (service_code, effective_from)
         SELECT 'PASSPORT_ISSUE', $1::date WHERE NOT EXISTS (SELECT 1 FROM payments.fee_schedules WHERE service_code = 'PASSPORT_ISSUE')
         RETURNING id
       )
       INSERT INTO payments.fee_schedule_items (schedule_id, name, amount, position)
       SELECT schedule.id, 'Lệ phí cấp hộ chiếu phổ thông', 200000, 1 FROM schedule`,
      [FEE_SCHEDULES_IN_FORCE_FROM],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM payments.fee_schedules WHERE service_code = 'PASSPORT_ISSUE' AND effective_from = $1::date`, [FEE_SCHEDULES_IN_FORCE_FROM]);
  }
}
