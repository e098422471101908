import type DataLoader from 'dataloader';
import type { RequestInfo, ServiceContext } from '../../shared/src';
import type { Payment } from './collections/payment.entity';
import type { FeeSchedule } from './fee-schedules/fee-schedule.types';
import type { PostalPoint } from './postal-points/postal-point.entity';

export interface PaymentsLoaders {
  postalPoints: DataLoader<string, PostalPoint | null>;
  /** By public service code: the schedule in force today, null when none is. */
  feeSchedules: DataLoader<string, FeeSchedule | null>;
  /** Movements by id. */
  payments: DataLoader<string, Payment | null>;
  /** By dossier id: its fee collections less reversals and refunds (0 when none). */
  paidForDossier: DataLoader<string, bigint>;
}

export interface PaymentsContext extends ServiceContext, RequestInfo { loaders: PaymentsLoaders }
