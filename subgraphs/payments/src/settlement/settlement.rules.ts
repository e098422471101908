import { AGENCY_CODE, BadInputError, isIsoDate, todayInVietnam, type FieldProblem } from '../../../shared/src';

/**
 * Every movement is dated the Vietnam day it is recorded on (a reversal the same day as its original, a refund the
 * day finance makes it), so once a day is over nothing new can be dated on it; two days leave room for a transaction
 * that began before midnight and commits after, however late finance closes.
 */
export const DAYS_UNTIL_FINAL = 2;

/** `date` moved by `days` (negative: earlier), as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * What a batch closed for `businessDate` guarantees: every movement of the agency dated on or before the day it
 * returns is in this batch or an earlier one. That is the batch's day, unless the day (or the one before) is too
 * recent to be final; never earlier than what the previous batch guaranteed. The next close looks only after it.
 */
export function settledThrough(businessDate: string, today: string, previous: string | null): string {
  const finalDay = addDays(today, -DAYS_UNTIL_FINAL);
  const through = businessDate < finalDay ? businessDate : finalDay;
  return previous !== null && previous > through ? previous : through;
}

/** An agency code (upper-cased) and a business day that has begun (Vietnam's): what a batch is closed for. */
export function checkBatchRequest(agencyCode: string, businessDate: string, now: Date): string {
  const problems: FieldProblem[] = [];
  const agency = agencyCode.trim().toUpperCase();
  if (!AGENCY_CODE.test(agency)) problems.push({ field: 'agencyCode', message: 'An agency code: 2 to 20 capital letters, digits or "_".' });
  if (!isIsoDate(businessDate)) problems.push({ field: 'businessDate', message: 'A date, YYYY-MM-DD.' });
  else if (businessDate > todayInVietnam(now)) problems.push({ field: 'businessDate', message: `Not a day that has not begun: today is ${todayInVietnam(now)} in Vietnam.` });
  if (problems.length) throw new BadInputError('The settlement batch has problems; see extensions.problems.', problems);
  return agency;
}

/** The batch's CSV file name (ASCII). */
export function settlementFileName(batch: { agencyCode: string; businessDate: string }): string {
  return `quyet-toan_${batch.agencyCode}_${batch.businessDate}.csv`;
}
