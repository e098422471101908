import type DataLoader from 'dataloader';
import { ServiceUnavailableError } from '../../../shared/src';
import type { FeeSchedule } from './fee-schedule.types';

/**
 * No fee schedule is in force for a service today. Charging it anyway would mean inventing an amount ("0" was
 * the old guess), so the field fails instead, and says which service needs a schedule published.
 */
export class FeeScheduleMissingError extends ServiceUnavailableError {
  constructor(readonly serviceCode: string) {
    super(`No fee schedule is in force for service ${serviceCode}; it cannot be charged until one is published.`);
    // ServiceUnavailableError takes no details; GraphQLError's extensions is a plain object, so they are added here.
    Object.assign(this.extensions, { reason: 'FEE_SCHEDULE_MISSING', serviceCode });
  }
}

/** The schedule in force today for `serviceCode`; a FeeScheduleMissingError when there is none. */
export async function feeScheduleInForce(loader: DataLoader<string, FeeSchedule | null>, serviceCode: string): Promise<FeeSchedule> {
  const schedule = await loader.load(serviceCode);
  if (!schedule) throw new FeeScheduleMissingError(serviceCode);
  return schedule;
}
