import { Payment } from '../collections/payment.entity';
import { openDatabase, type Database, type Logger } from '../../../shared/src';
import { FeeScheduleItem } from '../fee-schedules/fee-schedule-item.entity';
import { FeeScheduleRecord } from '../fee-schedules/fee-schedule.entity';
import { PostalPoint } from '../postal-points/postal-point.entity';
import { Remittance } from '../reconciliation/remittance.entity';
import { SettlementBatch } from '../settlement/settlement-batch.entity';
import { CreatePayments1763942400000 } from './migrations/1763942400000-create-payments';
import { FeeSchedulesWithEffectiveDates1795568400000 } from './migrations/1795568400000-fee-schedules-with-effective-dates';
import { PassportFeeSchedule1795800000000 } from './migrations/1795800000000-passport-fee-schedule';
import { CollectionsAndLedger1795850000000 } from './migrations/1795850000000-collections-and-ledger';
import { RemittancesAndSettlement1795860000000 } from './migrations/1795860000000-remittances-and-settlement';
import { PointDayTotals1795880000000 } from './migrations/1795880000000-point-day-totals';

export const PAYMENTS_SCHEMA = 'payments';

export function openPaymentsDatabase(url: string, log: Logger): Promise<Database> {
  return openDatabase({
    url, schema: PAYMENTS_SCHEMA, logger: log,
    entities: [PostalPoint, FeeScheduleRecord, FeeScheduleItem, Payment, Remittance, SettlementBatch],
    migrations: [CreatePayments1763942400000, FeeSchedulesWithEffectiveDates1795568400000, PassportFeeSchedule1795800000000, CollectionsAndLedger1795850000000, RemittancesAndSettlement1795860000000, PointDayTotals1795880000000],
  });
}
