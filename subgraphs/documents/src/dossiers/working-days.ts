/**
 * Working days in Vietnam: Monday to Friday, except public holidays. Dates are ISO "YYYY-MM-DD" calendar days
 * (Vietnam's), computed on UTC midnights so that no time zone or daylight rule can shift them.
 */
export type Holidays = ReadonlySet<string>;

const DAY_MS = 86_400_000;

export function addCalendarDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function isWeekend(isoDate: string): boolean {
  const weekday = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

export function isWorkingDay(isoDate: string, holidays: Holidays): boolean {
  return !isWeekend(isoDate) && !holidays.has(isoDate);
}

/** The `count`-th working day after `isoDate` (the day itself does not count); `count` 0 is `isoDate` itself. */
export function addWorkingDays(isoDate: string, count: number, holidays: Holidays): string {
  let day = isoDate;
  for (let left = count; left > 0;) {
    day = addCalendarDays(day, 1);
    if (isWorkingDay(day, holidays)) left--;
  }
  return day;
}

/** How many calendar days after the earliest appointment the applicant may still choose. */
export const APPOINTMENT_WINDOW_DAYS = 60;

export interface AppointmentWindow { earliest: string; latest: string }

/**
 * The days an applicant may choose for their appointment (ngày hẹn trả kết quả): from the day the service's
 * processing time, counted in working days from `today`, ends, to the last working day within 60 calendar days
 * after it; only working days.
 */
export function appointmentWindow(today: string, processingDays: number, holidays: Holidays): AppointmentWindow {
  const earliest = addWorkingDays(today, processingDays, holidays);
  let latest = addCalendarDays(earliest, APPOINTMENT_WINDOW_DAYS);
  while (!isWorkingDay(latest, holidays)) latest = addCalendarDays(latest, -1);
  return { earliest, latest };
}

/** Why `day` cannot be the appointment, or null when it can. */
export function appointmentProblem(day: string, window: AppointmentWindow, holidays: Holidays): string | null {
  if (day < window.earliest) return `The result cannot be ready before ${window.earliest}: choose that day or a later working day.`;
  if (day > window.latest) return `Choose a day up to ${window.latest}.`;
  if (isWeekend(day)) return 'The appointment falls on a weekend: choose a working day.';
  if (holidays.has(day)) return 'The appointment falls on a public holiday: choose a working day.';
  return null;
}
