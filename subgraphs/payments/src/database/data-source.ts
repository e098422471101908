import { openDatabase, type Database, type Logger } from '../../../shared/src';
import { FeeScheduleItem } from '../fee-schedules/fee-schedule-item.entity';
import { PostalPoint } from '../postal-points/postal-point.entity';
import { CreatePayments1763942400000 } from './migrations/1763942400000-create-payments';

export const PAYMENTS_SCHEMA = 'payments';

export function openPaymentsDatabase(url: string, log: Logger): Promise<Database> {
  return openDatabase({
    url, schema: PAYMENTS_SCHEMA, logger: log,
    entities: [PostalPoint, FeeScheduleItem],
    migrations: [CreatePayments1763942400000],
  });
}
