import type DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { cachedLoader, type Cache } from '../../../shared/src';
import { FeeScheduleItem } from './fee-schedule-item.entity';
import { toFeeSchedule } from './fee-schedule.rules';
import type { FeeSchedule } from './fee-schedule.types';

export const FEE_SCHEDULE_CACHE = { family: 'payments:fee-schedule:v1', ttlSeconds: 300 };

/** Cached per service code; amounts as decimal strings because JSON has no bigint. */
export interface CachedFeeSchedule { items: { name: string; amount: string }[] }

// Service codes are the documents subgraph's catalogue codes; anything else cannot have a schedule, and is not
// cached, so arbitrary references cannot fill Redis.
const SERVICE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const FREE: FeeSchedule = { items: [], total: 0n };

/**
 * Per request: the schedules of all services (and dossiers) of one request are one cache read and at most one
 * `WHERE service_code IN (…)`. A service without items is free, and that answer is cached too.
 */
export function createFeeScheduleLoader(db: DataSource, cache: Cache<CachedFeeSchedule>): DataLoader<string, FeeSchedule> {
  return cachedLoader<CachedFeeSchedule, FeeSchedule>(cache, {
    accepts: (code) => SERVICE_CODE.test(code),
    load: async (missing) => {
      const rows = await db.getRepository(FeeScheduleItem).find({ where: { serviceCode: In(missing) }, order: { serviceCode: 'ASC', position: 'ASC' } });
      const schedules = new Map<string, CachedFeeSchedule>(missing.map((code) => [code, { items: [] }]));
      for (const row of rows) schedules.get(row.serviceCode)!.items.push({ name: row.name, amount: row.amount.toString() });
      return schedules;
    },
    hydrate: (cached) => toFeeSchedule(cached.items.map((item) => ({ name: item.name, amount: BigInt(item.amount) }))),
    otherwise: FREE,
  });
}
