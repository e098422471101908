import type { DataSource } from 'typeorm';
import type { Holidays } from './working-days';

/** The public-holiday table (a few dozen rows): read when a date has to be checked, so a new row counts at once. */
export class HolidayCalendar {
  constructor(private readonly db: DataSource) {}

  /** Per request: the table is read at most once however many services or dossiers ask (a catalogue page asks for each). */
  forRequest(): () => Promise<Holidays> {
    let holidays: Promise<Holidays> | undefined;
    return () => (holidays ??= this.holidays());
  }

  async holidays(): Promise<Holidays> {
    const rows: { day: string }[] = await this.db.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM documents.public_holidays WHERE day >= CURRENT_DATE - 7`);
    return new Set(rows.map((r) => r.day));
  }
}
