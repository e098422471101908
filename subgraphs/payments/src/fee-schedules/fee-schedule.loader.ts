import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { cachedLoader, todayInVietnam, type Cache } from '../../../shared/src';
import { scheduleInForce } from './fee-schedule.rules';
import type { FeeSchedule } from './fee-schedule.types';

// v2: the entry is now every current and future schedule of the service, not one undated list.
export const FEE_SCHEDULE_CACHE = { family: 'payments:fee-schedule:v2', ttlSeconds: 300 };

/**
 * Cached per service code: its schedules that had not ended on the day they were read, with the total summed by
 * PostgreSQL. Periods rather than "today's schedule", so an entry read before midnight still answers right after
 * it. Amounts are decimal strings because JSON has no bigint; an empty list (no schedule at all) is cached too.
 */
export interface CachedFeeSchedule {
  schedules: { effectiveFrom: string; effectiveTo: string | null; total: string; items: { name: string; amount: string }[] }[];
}

// Service codes are the documents subgraph's catalogue codes; anything else cannot have a schedule, and is not
// cached, so arbitrary references cannot fill Redis.
const SERVICE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

interface ScheduleRow { service_code: string; effective_from: string; effective_to: string | null; total: string; items: { name: string; amount: string }[] }

/**
 * Per request: the schedules of all services (and dossiers) of one request are one cache read and at most one
 * statement. Resolves to the schedule in force today in Vietnam, or null when none is (see feeScheduleInForce).
 * `today` is a parameter only so that tests can move the clock.
 */
export function createFeeScheduleLoader(db: DataSource, cache: Cache<CachedFeeSchedule>, today: () => string = () => todayInVietnam()): DataLoader<string, FeeSchedule | null> {
  return cachedLoader<CachedFeeSchedule, FeeSchedule | null>(cache, {
    accepts: (code) => SERVICE_CODE.test(code),
    load: async (missing) => {
      // Dates as text: pg would turn a date into a JS Date at local midnight, i.e. the day before in UTC+7 terms.
      // Ended schedules are left out (days only move forward, so they cannot come back into force).
      const rows = (await db.query(
        `SELECT s.service_code, s.effective_from::text AS effective_from, s.effective_to::text AS effective_to,
                coalesce(sum(i.amount), 0)::text AS total,
                coalesce(json_agg(json_build_object('name', i.name, 'amount', i.amount::text) ORDER BY i.position) FILTER (WHERE i.id IS NOT NULL), '[]') AS items
         FROM payments.fee_schedules s LEFT JOIN payments.fee_schedule_items i ON i.schedule_id = s.id
         WHERE s.service_code = ANY($1::text[]) AND (s.effective_to IS NULL OR s.effective_to >= $2::date)
         GROUP BY s.id
         ORDER BY s.service_code, s.effective_from`,
        [missing, today()],
      )) as ScheduleRow[];
      const byService = new Map<string, CachedFeeSchedule>(missing.map((code) => [code, { schedules: [] }]));
      for (const row of rows) {
        byService.get(row.service_code)!.schedules.push({ effectiveFrom: row.effective_from, effectiveTo: row.effective_to, total: row.total, items: row.items });
      }
      return byService;
    },
    hydrate: (cached) => {
      const schedule = scheduleInForce(cached.schedules, today());
      if (!schedule) return null;
      return {
        effectiveFrom: schedule.effectiveFrom,
        effectiveTo: schedule.effectiveTo,
        items: schedule.items.map((item) => ({ name: item.name, amount: BigInt(item.amount) })),
        total: BigInt(schedule.total),
      };
    },
    otherwise: null,
  });
}
