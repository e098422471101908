import type { DataSource } from 'typeorm';
import { FEE_SCHEDULES } from '../fee-schedules/fee-schedule.catalogue';
import { generatePostalPoints } from '../postal-points/postal-point.generator';

export interface SeedOptions {
  /** How many generated postal points; 13,000 (the real network's size) by default. */
  postalPoints?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult { postalPointsInserted: number; feeItemsInserted: number }

const BATCH = 1_000;

/**
 * Idempotent: inserts what is missing and never overwrites (an administrator may have closed a point since), so
 * it can run on every start or deploy. Points go in batches as one array parameter per column, so a batch is a
 * single statement whatever its size.
 */
export async function seedPayments(dataSource: DataSource, options: SeedOptions = {}): Promise<SeedResult> {
  const points = generatePostalPoints({ total: options.postalPoints ?? 13_000 });
  let postalPointsInserted = 0;
  for (let start = 0; start < points.length; start += BATCH) {
    const batch = points.slice(start, start + BATCH);
    const column = <K extends keyof (typeof batch)[number]>(key: K) => batch.map((p) => p[key]);
    const inserted = (await dataSource.query(
      `INSERT INTO payments.postal_points (code, name, kind, province_code, province_name, district, address, phone, is_open)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[])
       ON CONFLICT (code) DO NOTHING
       RETURNING code`,
      [column('code'), column('name'), column('kind'), column('provinceCode'), column('provinceName'), column('district'), column('address'), column('phone'), column('isOpen')],
    )) as unknown[];
    postalPointsInserted += inserted.length;
    options.onProgress?.(start + batch.length, points.length);
  }

  const items = Object.entries(FEE_SCHEDULES).flatMap(([serviceCode, fees]) =>
    fees.map((fee, index) => ({ serviceCode, name: fee.name, amount: fee.amount.toString(), position: index + 1 })));
  const feeRows = items.length === 0 ? [] : ((await dataSource.query(
    `INSERT INTO payments.fee_schedule_items (service_code, name, amount, position)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[])
     ON CONFLICT (service_code, position) DO NOTHING
     RETURNING id`,
    [items.map((i) => i.serviceCode), items.map((i) => i.name), items.map((i) => i.amount), items.map((i) => i.position)],
  )) as unknown[]);
  return { postalPointsInserted, feeItemsInserted: feeRows.length };
}
