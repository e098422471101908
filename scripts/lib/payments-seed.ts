import type { ClientBase } from 'pg';

/**
 * A month of money movements at national scale, generated inside PostgreSQL: each statement makes the movements of
 * one business day for a share of the postal points (and a share of the day's online payments) with
 * `generate_series`, writes them to payments.payments and their two postings each to payments.ledger_entries in the
 * same statement (the balance trigger checks every statement, so each transaction's postings arrive together), and
 * the cash on delivery handed to postmen to payments.cod_dispatches. No row travels through Node.js.
 *
 * The shape, per business day (Vietnam calendar day):
 * - 90% at postal counters, spread over the open points by kind (a post office ≈ 3.6 times a commune cultural post
 *   office, an agent ≈ 1.6 times), between 07:00 and 11:30 and between 13:00 and 17:30 Vietnam time:
 *   bill payments collected for EVN and the water companies (65%), dossier fees at the fee schedules' amounts for
 *   C06, CDB and A08 (22%), BHXH pensions and allowances paid out (5%), and results with cash on delivery handed to
 *   postmen (8%), 93% of which are paid at the door the same day and recorded at the point;
 * - 10% online (dossier fees and bills), at any hour, mostly from the morning to the late evening;
 * - 0.3% of counter collections and disbursements reversed by the point's supervisor a few minutes later;
 * - amounts in whole đồng: bills log-normal around 320,000 (EVN) and 150,000 (water), pensions and allowances
 *   around 1.5 million (300,000 to 20 million), cash on delivery 20,000 to 200,000;
 * - Sundays lighter (0.57 of a weekday), Saturdays 0.88; the week averages the day's figure.
 */

/** Collections, disbursements and the rest, per day, over the whole network (shared/DOMAIN.md: 17 million a month). */
export const NATIONAL_MOVEMENTS_PER_DAY = 570_000;
/** Share of a day's movements made online (no postal point). */
export const ONLINE_SHARE = 0.1;
/** About this many movements per statement: one statement's rows are sorted and its postings checked together. */
export const ROWS_PER_STATEMENT = 150_000;

/** Relative activity of a day of the week, Sunday first; the seven average to 1. */
const WEEKDAY = [0.55, 1.08, 1.08, 1.08, 1.08, 1.08, 0.85].map((f, _i, all) => f / (all.reduce((a, b) => a + b, 0) / 7));

/** Relative activity of a postal point by kind: what a point of each kind handles, against the others. */
const KIND_WEIGHT_SQL = `CASE kind WHEN 'POST_OFFICE' THEN 2.1 WHEN 'AGENT' THEN 0.93 ELSE 0.58 END`;

/** The day's movements over the whole network for `scale` (1 = the national figure), by its day of the week. */
export function movementsFor(day: string, scale: number): number {
  return Math.round(NATIONAL_MOVEMENTS_PER_DAY * scale * WEEKDAY[new Date(`${day}T00:00:00Z`).getUTCDay()]);
}

/** `count` calendar days from `first` (YYYY-MM-DD), in order. */
export function daysFrom(first: string, count: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

export interface DaySeed {
  day: string;
  /** Rows in payments.payments, reversals included. */
  movements: number;
  reversals: number;
  /** Rows in payments.ledger_entries (two per movement). */
  postings: number;
  codDispatches: number;
  /** Rows in payments.remittances (0 when the table does not exist). */
  remittances: number;
}

/** One statement: the movements of `$1` for the open points with abs(hashtext(code)) % $2 = $3. */
const SEED_SQL = `
WITH
clock AS (SELECT ($1::date::timestamp - interval '7 hours') AT TIME ZONE 'UTC' AS day_start),
points AS MATERIALIZED (
  SELECT code, province_code, ${KIND_WEIGHT_SQL} AS weight
  FROM payments.postal_points
  WHERE is_open AND abs(hashtext(code)) % $2::int = $3::int
),
slots AS MATERIALIZED (
  SELECT p.code, p.province_code,
    random() AS r_kind, random() AS r_a, random() AS r_b, random() AS r_c, random() AS r_t, random() AS r_t2, random() AS r_rev
  FROM points p
  CROSS JOIN LATERAL generate_series(1, floor(p.weight * $4::float8 * (0.5 + random()) + random())::int) AS g(n)
),
counter AS (
  SELECT s.*,
    CASE WHEN r_kind < 0.65 THEN 'BILL_PAYMENT' WHEN r_kind < 0.87 THEN 'DOSSIER_FEE' ELSE 'DISBURSEMENT' END AS purpose,
    sqrt(-2 * ln(1 - r_a)) * cos(2 * pi() * r_b) AS normal
  FROM slots s WHERE r_kind < 0.92
),
cod AS MATERIALIZED (
  SELECT gen_random_uuid() AS dossier_id, s.code, s.province_code,
    CASE WHEN r_a < 0.6 THEN 'C06' WHEN r_a < 0.85 THEN 'CDB' ELSE 'A08' END AS agency_code,
    (1000 * (20 + floor(r_b * 180)))::bigint AS amount,
    (SELECT day_start FROM clock) + make_interval(secs => 27000 + r_t * 5400) AS dispatched_at,
    r_c < 0.93 AS paid, r_t2
  FROM slots s WHERE r_kind >= 0.92
),
originals AS MATERIALIZED (
  SELECT gen_random_uuid() AS id,
    CASE WHEN purpose = 'DISBURSEMENT' THEN 'DISBURSEMENT' ELSE 'COLLECTION' END AS type,
    purpose, 'COUNTER' AS channel, code AS postal_point_code, province_code,
    CASE purpose
      WHEN 'BILL_PAYMENT' THEN CASE WHEN r_c < 0.65 THEN 'EVN' WHEN province_code = '001' THEN 'HAWACO' WHEN province_code = '079' THEN 'SAWACO'
                                    WHEN province_code = '048' THEN 'DAWACO' ELSE 'CAPNUOC_' || province_code END
      WHEN 'DOSSIER_FEE' THEN CASE WHEN r_a < 0.65 THEN 'C06' WHEN r_a < 0.85 THEN 'CDB' ELSE 'A08' END
      ELSE 'BHXH' END AS agency_code,
    CASE WHEN purpose = 'DOSSIER_FEE' THEN gen_random_uuid() END AS dossier_id,
    CASE WHEN purpose = 'BILL_PAYMENT' THEN
      CASE WHEN r_c < 0.65 THEN 'PE' || lpad(floor(r_t2 * 1e11)::bigint::text, 11, '0') ELSE 'KH' || lpad(floor(r_t2 * 1e9)::bigint::text, 9, '0') END
    END AS bill_reference,
    CASE WHEN purpose = 'DOSSIER_FEE' AND r_b < 0.5 THEN gen_random_uuid() END AS payer_account_id,
    (CASE purpose
      WHEN 'BILL_PAYMENT' THEN greatest(10000, least(5000000, round(exp(ln(CASE WHEN r_c < 0.65 THEN 320000 ELSE 150000 END) + 0.75 * normal))))
      WHEN 'DOSSIER_FEE' THEN CASE WHEN r_a < 0.25 THEN 20000 WHEN r_a < 0.50 THEN 50000 WHEN r_a < 0.65 THEN 70000 WHEN r_a < 0.85 THEN 135000 ELSE 200000 END
      ELSE 1000 * greatest(300, least(20000, round(exp(ln(1500) + 0.6 * normal)))) END)::bigint AS amount,
    md5('clerk:' || code)::uuid AS recorded_by_account_id, 'POSTAL_CLERK' AS recorded_by_role,
    (SELECT day_start FROM clock) + make_interval(secs => CASE WHEN r_t < 0.6 THEN 25200 ELSE 46800 END + r_t2 * 16200) AS recorded_at,
    r_rev
  FROM counter
  UNION ALL
  SELECT gen_random_uuid(), 'COLLECTION', 'CASH_ON_DELIVERY', 'COUNTER', code, province_code, agency_code, dossier_id, NULL, NULL, amount,
    md5('clerk:' || code)::uuid, 'POSTAL_CLERK',
    least(dispatched_at + make_interval(secs => 7200 + r_t2 * 21600), (SELECT day_start FROM clock) + interval '20 hours'), 1
  FROM cod WHERE paid
  UNION ALL
  SELECT gen_random_uuid(), 'COLLECTION', purpose, 'ONLINE', NULL, NULL,
    CASE WHEN purpose = 'DOSSIER_FEE' THEN CASE WHEN r_a < 0.65 THEN 'C06' WHEN r_a < 0.85 THEN 'CDB' ELSE 'A08' END ELSE 'EVN' END,
    CASE WHEN purpose = 'DOSSIER_FEE' THEN gen_random_uuid() END,
    CASE WHEN purpose = 'BILL_PAYMENT' THEN 'PE' || lpad(floor(r_c * 1e11)::bigint::text, 11, '0') END,
    payer, (CASE WHEN purpose = 'DOSSIER_FEE'
      THEN CASE WHEN r_a < 0.25 THEN 20000 WHEN r_a < 0.50 THEN 50000 WHEN r_a < 0.65 THEN 70000 WHEN r_a < 0.85 THEN 135000 ELSE 200000 END
      ELSE greatest(10000, least(5000000, round(exp(ln(320000) + 0.75 * sqrt(-2 * ln(1 - r_a)) * cos(2 * pi() * r_b))))) END)::bigint,
    payer, 'CITIZEN',
    (SELECT day_start FROM clock) + make_interval(secs => CASE WHEN r_t < 0.9 THEN 21600 + r_t2 * 64800 ELSE r_t2 * 21600 END), 1
  FROM (
    SELECT CASE WHEN random() < 0.4 THEN 'DOSSIER_FEE' ELSE 'BILL_PAYMENT' END AS purpose, gen_random_uuid() AS payer,
      random() AS r_a, random() AS r_b, random() AS r_c, random() AS r_t, random() AS r_t2
    FROM generate_series(1, $5::int)
  ) AS o
),
everything AS (
  SELECT id, type, purpose, channel, postal_point_code, province_code, agency_code, dossier_id, bill_reference, payer_account_id, amount,
    NULL::uuid AS original_id, NULL::date AS original_business_date, NULL::text AS reason, recorded_by_account_id, recorded_by_role, recorded_at
  FROM originals
  UNION ALL
  SELECT gen_random_uuid(), 'REVERSAL', purpose, channel, postal_point_code, province_code, agency_code, dossier_id, bill_reference, payer_account_id, amount,
    id, $1::date, CASE WHEN r_rev < 0.002 THEN 'Thu nhầm số tiền' ELSE 'Khách hàng hủy giao dịch' END,
    md5('supervisor:' || postal_point_code)::uuid, 'POSTAL_SUPERVISOR',
    least(recorded_at + make_interval(secs => 120 + r_rev * 500000), (SELECT day_start FROM clock) + interval '23 hours 59 minutes')
  FROM originals
  WHERE r_rev < 0.003 AND purpose <> 'CASH_ON_DELIVERY'
),
moved AS (
  INSERT INTO payments.payments (id, business_date, type, purpose, channel, postal_point_code, province_code, agency_code, dossier_id, bill_reference,
    payer_account_id, amount, original_id, original_business_date, reason, recorded_by_account_id, recorded_by_role, recorded_at)
  SELECT id, $1::date, type, purpose, channel, postal_point_code, province_code, agency_code, dossier_id, bill_reference,
    payer_account_id, amount, original_id, original_business_date, reason, recorded_by_account_id, recorded_by_role, recorded_at
  FROM everything ORDER BY recorded_at
  RETURNING business_date, id, type, purpose, channel, postal_point_code, agency_code, amount
),
posted AS (
  INSERT INTO payments.ledger_entries (business_date, transaction_id, account, amount)
  SELECT m.business_date, m.id, e.account, e.amount
  FROM moved m
  CROSS JOIN LATERAL (SELECT CASE WHEN (m.purpose = 'DISBURSEMENT') <> (m.type = 'REVERSAL') THEN -m.amount ELSE m.amount END AS cash) AS s
  CROSS JOIN LATERAL (VALUES
    (CASE m.channel WHEN 'COUNTER' THEN 'POSTAL_POINT_CASH:' || m.postal_point_code ELSE 'ONLINE_CLEARING' END, s.cash),
    ('AGENCY_PAYABLE:' || m.agency_code, -s.cash)) AS e(account, amount)
  RETURNING 1
),
dispatched AS (
  INSERT INTO payments.cod_dispatches (dossier_id, postal_point_code, business_date, agency_code, amount, dispatched_at)
  SELECT dossier_id, code, $1::date, agency_code, amount, dispatched_at FROM cod
  RETURNING 1
)
SELECT (SELECT count(*) FROM moved)::int AS movements,
  (SELECT count(*) FROM moved WHERE type = 'REVERSAL')::int AS reversals,
  (SELECT count(*) FROM posted)::int AS postings,
  (SELECT count(*) FROM dispatched)::int AS cod_dispatches`;

/**
 * The end-of-day declarations of one day: every point that handled cash declares what it owes, as the reconciliation
 * counts it (the till's collections less pensions paid out, net of reversals, without the cash on delivery brought
 * back, plus the cash on delivery handed to its postmen that day), most exactly, some short or over by up to a few
 * hundred thousand đồng, and 1.5% declare nothing (missing).
 */
const REMITTANCES_SQL = `
INSERT INTO payments.remittances (business_date, postal_point_code, amount, declared_by_account_id, declared_by_role, declared_at)
SELECT $1::date, code,
  greatest(0, CASE WHEN r < 0.955 THEN due WHEN r < 0.975 THEN due - 1000 * (1 + floor(random() * 500)) ELSE due + 1000 * (1 + floor(random() * 300)) END)::bigint,
  md5('clerk:' || code)::uuid, 'POSTAL_CLERK',
  ($1::date::timestamp - interval '7 hours') AT TIME ZONE 'UTC' + make_interval(secs => 63000 + random() * 5400)
FROM (
  SELECT code, random() AS r, sum(due) AS due
  FROM (
    SELECT postal_point_code AS code,
      CASE WHEN purpose = 'CASH_ON_DELIVERY' THEN 0 WHEN (purpose = 'DISBURSEMENT') <> (type = 'REVERSAL') THEN -amount ELSE amount END AS due
    FROM payments.payments WHERE business_date = $1::date AND channel = 'COUNTER'
    UNION ALL
    SELECT postal_point_code, amount FROM payments.cod_dispatches WHERE business_date = $1::date
  ) AS owed
  GROUP BY code
) AS day
WHERE r < 0.985`;

/** Whether the end-of-day declarations table exists (it arrives with the reconciliation work). */
export async function hasRemittancesTable(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('payments.remittances') IS NOT NULL AS present`);
  return rows[0].present;
}

/** Sum of the open points' weights: the divisor that spreads a day's counter movements over the network. */
export async function networkWeight(client: ClientBase): Promise<number> {
  const { rows } = await client.query<{ weight: string | null }>(`SELECT sum(${KIND_WEIGHT_SQL})::float8 AS weight FROM payments.postal_points WHERE is_open`);
  const weight = Number(rows[0].weight ?? 0);
  if (!(weight > 0)) throw new Error('no open postal points: import the network first');
  return weight;
}

/**
 * Seeds `movements` (about: counts are drawn at random per point) movements of business day `day` in
 * ⌈movements / rowsPerStatement⌉ statements, then, when `remittances`, the day's declarations. `onStatement` hears
 * the running totals after each statement. Each statement commits by itself.
 */
export async function seedPaymentsDay(
  client: ClientBase,
  day: string,
  movements: number,
  options: { weight?: number; remittances?: boolean; rowsPerStatement?: number; onStatement?: (sofar: DaySeed) => void } = {},
): Promise<DaySeed> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  const weight = options.weight ?? (await networkWeight(client));
  const statements = Math.max(1, Math.ceil(movements / (options.rowsPerStatement ?? ROWS_PER_STATEMENT)));
  const online = Math.round(movements * ONLINE_SHARE);
  // Counter slots per unit of weight; COD slots that are not paid the same day make no movement, hence the 0.9944.
  const perWeight = (movements - online) / 0.9944 / weight;
  await client.query(`SELECT payments.ensure_month_partitions($1::date)`, [day]);
  const total: DaySeed = { day, movements: 0, reversals: 0, postings: 0, codDispatches: 0, remittances: 0 };
  for (let part = 0; part < statements; part++) {
    const onlineHere = Math.floor(online / statements) + (part < online % statements ? 1 : 0);
    const { rows: [r] } = await client.query<{ movements: number; reversals: number; postings: number; cod_dispatches: number }>(
      SEED_SQL, [day, statements, part, perWeight, onlineHere]);
    total.movements += r.movements;
    total.reversals += r.reversals;
    total.postings += r.postings;
    total.codDispatches += r.cod_dispatches;
    options.onStatement?.({ ...total });
  }
  if (options.remittances) total.remittances = (await client.query(REMITTANCES_SQL, [day])).rowCount ?? 0;
  return total;
}
