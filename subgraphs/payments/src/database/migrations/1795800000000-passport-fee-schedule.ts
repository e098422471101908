import type { MigrationInterface, QueryRunner } from 'typeorm';
import { FEE_SCHEDULES_IN_FORCE_FROM } from '../../fee-schedules/fee-schedule.catalogue';

/** The passport's fee (Circular 25/2021/TT-BTC), in force from the catalogue's first day. */
export const PASSPORT_FEE_SCHEDULE = { serviceCode: 'PASSPORT_ISSUE', items: [{ name: 'Lệ phí cấp hộ chiếu phổ thông', amount: 200_000n }] } as const;

/** The passport (PASSPORT_ISSUE, added to the documents catalogue with the eighth service group): 200,000 đồng. */
export class PassportFeeSchedule1795800000000 implements MigrationInterface {
  name = 'PassportFeeSchedule1795800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `WITH schedule AS (
         INSERT INTO payments.fee_schedules (service_code, effective_from)
         SELECT $2, $1::date WHERE NOT EXISTS (SELECT 1 FROM payments.fee_schedules WHERE service_code = $2)
         RETURNING id
       )
       INSERT INTO payments.fee_schedule_items (schedule_id, name, amount, position)
       SELECT schedule.id, $3, $4::bigint, 1 FROM schedule`,
      [FEE_SCHEDULES_IN_FORCE_FROM, PASSPORT_FEE_SCHEDULE.serviceCode, PASSPORT_FEE_SCHEDULE.items[0].name, PASSPORT_FEE_SCHEDULE.items[0].amount.toString()],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM payments.fee_schedules WHERE service_code = $1 AND effective_from = $2::date`, [PASSPORT_FEE_SCHEDULE.serviceCode, FEE_SCHEDULES_IN_FORCE_FROM]);
  }
}
