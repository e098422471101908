/** The days a schedule is in force, as "YYYY-MM-DD" (Vietnam calendar), both ends included; no end = until replaced. */
export interface SchedulePeriod { effectiveFrom: string; effectiveTo: string | null }

/** ISO dates compare as strings, so no Date (and no time zone) is involved. */
export function isInForce(period: SchedulePeriod, day: string): boolean {
  return period.effectiveFrom <= day && (period.effectiveTo === null || day <= period.effectiveTo);
}

/**
 * The schedule in force on `day`, or undefined when none is: the service then cannot be charged (it is not free).
 * The database keeps a service's periods from overlapping; should two ever match, the later start wins.
 */
export function scheduleInForce<T extends SchedulePeriod>(schedules: readonly T[], day: string): T | undefined {
  let found: T | undefined;
  for (const schedule of schedules) {
    if (isInForce(schedule, day) && (!found || schedule.effectiveFrom > found.effectiveFrom)) found = schedule;
  }
  return found;
}
