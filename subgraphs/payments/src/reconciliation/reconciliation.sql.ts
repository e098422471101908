/**
 * The reconciliation of one business day (đối soát cuối ngày), per postal point, in one SQL statement: the day's
 * rows are read once (the day is the leading column of every key involved: `point_day_totals (business_date,
 * postal_point_code, agency_code)`, which the database keeps from the movements as they are written,
 * `cod_dispatches`, `remittances (business_date, postal_point_code)`), summed per point in one aggregate, and the
 * totals are taken over those per-point lines in the same statement. Money is summed by PostgreSQL, never in JavaScript.
 *
 * Definitions, for a postal point and a business day D (Vietnam calendar day):
 *
 * - **collected**: the net cash the counter took that day = Σ counter COLLECTIONs − Σ counter DISBURSEMENTs (chi hộ,
 *   paid out of the till) − their REVERSALs by effect (a reversed collection takes its amount back out, a reversed
 *   disbursement puts it back in). A reversal is dated its original's day, so it reconciles on that day; it counts at
 *   the original's postal point. REFUNDs are paid by finance, not from a till, and online movements touch no till:
 *   neither counts.
 * - **due**: what the point owes at the end of the day = collected − the cash on delivery (CASH_ON_DELIVERY
 *   collections, net of reversals) collected that day + the cash-on-delivery amounts it handed to its postmen that
 *   day (`payments.cod_dispatches`). Cash on delivery is owed from the day a result goes out with a postman; when
 *   the postman brings it back it is recorded as a CASH_ON_DELIVERY collection and is not owed a second time.
 * - **toRemit** = max(due, 0): what the point hands over. A point that paid out more than it took that day (pensions
 *   paid on behalf of BHXH, say) has a negative due: it remits nothing, and **cashAdvance** = max(−due, 0) is the
 *   cash the network tops its till up with.
 * - **remitted**: the amount the point declared (`declareRemittance`); null when it declared nothing.
 * - **difference** = remitted − toRemit (nothing declared counts as 0).
 * - **status**: MISSING when nothing was declared and the till moved (due ≠ 0: a point that paid out net cash still
 *   closes its day, with 0); UNEXPECTED when an amount above zero was declared while nothing was due and nothing
 *   collected; otherwise MATCHED, SHORT or OVER as remitted is equal to, below or above toRemit (nothing declared
 *   and nothing due is MATCHED, and so is a zero declaration when nothing, or less than nothing, was due).
 * - A point has a line when it had anything that day: a counter collection, disbursement or reversal, a
 *   cash-on-delivery dispatch or a declaration.
 *
 * With an agency, due and collected count that agency's movements and dispatches only. Cash is remitted per point,
 * not per agency, so `remitted` and `difference` are null and the status compares collected with due: MATCHED,
 * SHORT (cash on delivery handed out that day has not all come back yet) or OVER (cash on delivery of an earlier
 * day came back); MISSING and UNEXPECTED do not apply; toRemit and cashAdvance are null too. Points with nothing of
 * that agency have no line.
 */

export interface ReconciliationFilter {
  businessDate: string;
  provinceCode?: string | null;
  postalPointCode?: string | null;
  agencyCode?: string | null;
}

export interface Statement { sql: string; params: unknown[] }

/** The `WITH … lines` part shared by the page, the totals and the CSV. `params` receives the values in order. */
export function reconciliationLines(filter: ReconciliationFilter, params: unknown[]): string {
  const bind = (value: unknown) => { params.push(value); return `$${params.length}`; };
  const day = `${bind(filter.businessDate)}::date`;
  const province = filter.provinceCode ? bind(filter.provinceCode) : null;
  const point = filter.postalPointCode ? bind(filter.postalPointCode) : null;
  const agency = filter.agencyCode ? bind(filter.agencyCode) : null;

  const movementFilter = (alias: string) => [
    province && `${alias}.province_code = ${province}`,
    point && `${alias}.postal_point_code = ${point}`,
    agency && `${alias}.agency_code = ${agency}`,
  ].filter(Boolean).map((condition) => ` AND ${condition}`).join('');
  const pointFilter = (alias: string) => [
    province && `${alias}.postal_point_code IN (SELECT code FROM payments.postal_points WHERE province_code = ${province})`,
    point && `${alias}.postal_point_code = ${point}`,
  ].filter(Boolean).map((condition) => ` AND ${condition}`).join('');

  const status = agency
    ? `CASE WHEN s.collected = s.due THEN 'MATCHED' WHEN s.collected < s.due THEN 'SHORT' ELSE 'OVER' END`
    : `CASE
        WHEN s.remitted IS NULL THEN CASE WHEN s.due = 0 THEN 'MATCHED' ELSE 'MISSING' END
        WHEN s.remitted > 0 AND s.due = 0 AND s.collected = 0 THEN 'UNEXPECTED'
        WHEN s.remitted = greatest(s.due, 0) THEN 'MATCHED'
        WHEN s.remitted < greatest(s.due, 0) THEN 'SHORT'
        ELSE 'OVER'
      END`;

  return `
    WITH till AS (
      -- Each point's till per agency that day, kept by the database as movements are written (point_day_totals).
      SELECT t.postal_point_code AS point, t.collected AS cash, t.cod_collected AS cod, t.movement_count AS movements
      FROM payments.point_day_totals t
      WHERE t.business_date = ${day}${movementFilter('t')}
    ),
    contributions AS (
      SELECT point, cash AS collected, cod AS cod_collected, 0::bigint AS cod_dispatched, NULL::bigint AS remitted, movements FROM till
      UNION ALL
      SELECT d.postal_point_code, 0, 0, d.amount, NULL, 0 FROM payments.cod_dispatches d
      WHERE d.business_date = ${day}${pointFilter('d')}${agency ? ` AND d.agency_code = ${agency}` : ''}
      ${agency ? '' : `UNION ALL
      SELECT r.postal_point_code, 0, 0, 0, r.amount, 0 FROM payments.remittances r
      WHERE r.business_date = ${day}${pointFilter('r')}`}
    ),
    sums AS (
      SELECT point,
             sum(collected) AS collected, sum(cod_collected) AS cod_collected, sum(cod_dispatched) AS cod_dispatched,
             sum(remitted) AS remitted, sum(movements)::int AS movement_count
      FROM contributions GROUP BY point
    ),
    lines AS MATERIALIZED (
      SELECT s.point AS postal_point_code, pp.province_code, pp.name AS postal_point_name, pp.province_name,
             s.due, s.collected, s.cod_collected, s.cod_dispatched, s.movement_count,
             ${agency ? 'NULL::numeric' : 's.remitted'} AS remitted,
             ${agency ? 'NULL::numeric' : 'coalesce(s.remitted, 0) - greatest(s.due, 0)'} AS difference,
             ${agency ? 'NULL::numeric' : 'greatest(s.due, 0)'} AS to_remit,
             ${agency ? 'NULL::numeric' : 'greatest(-s.due, 0)'} AS cash_advance,
             ${status} AS status
      FROM (SELECT sums.*, collected - cod_collected + cod_dispatched AS due FROM sums) s
      LEFT JOIN payments.postal_points pp ON pp.code = s.point
    )`;
}

const LINE_COLUMNS = `l.postal_point_code, l.province_code, l.due::text AS due, l.collected::text AS collected,
  l.cod_collected::text AS cod_collected, l.cod_dispatched::text AS cod_dispatched, l.movement_count,
  l.remitted::text AS remitted, l.difference::text AS difference, l.to_remit::text AS to_remit, l.cash_advance::text AS cash_advance, l.status`;

/** One page of lines (keyset on the point code) with the totals of every line: always at least one row. */
export function reconciliationPage(filter: ReconciliationFilter, after: string | undefined, limit: number): Statement {
  const params: unknown[] = [];
  const lines = reconciliationLines(filter, params);
  const afterCondition = after === undefined ? '' : `WHERE postal_point_code > $${params.push(after)}`;
  const limitParam = `$${params.push(limit)}`;
  const sql = `${lines},
    totals AS (
      SELECT count(*)::int AS line_count,
             coalesce(sum(due), 0)::text AS total_due, coalesce(sum(collected), 0)::text AS total_collected,
             coalesce(sum(cod_collected), 0)::text AS total_cod_collected, coalesce(sum(cod_dispatched), 0)::text AS total_cod_dispatched,
             ${filter.agencyCode ? 'NULL' : 'coalesce(sum(remitted), 0)::text'} AS total_remitted,
             ${filter.agencyCode ? 'NULL' : 'coalesce(sum(difference), 0)::text'} AS total_difference,
             ${filter.agencyCode ? 'NULL' : 'coalesce(sum(to_remit), 0)::text'} AS total_to_remit,
             ${filter.agencyCode ? 'NULL' : 'coalesce(sum(cash_advance), 0)::text'} AS total_cash_advance,
             count(*) FILTER (WHERE status = 'MATCHED')::int AS matched, count(*) FILTER (WHERE status = 'SHORT')::int AS short,
             count(*) FILTER (WHERE status = 'OVER')::int AS over, count(*) FILTER (WHERE status = 'MISSING')::int AS missing,
             count(*) FILTER (WHERE status = 'UNEXPECTED')::int AS unexpected
      FROM lines
    ),
    page AS (SELECT * FROM lines ${afterCondition} ORDER BY postal_point_code LIMIT ${limitParam})
    SELECT t.*, ${LINE_COLUMNS}
    FROM totals t LEFT JOIN page l ON true
    ORDER BY l.postal_point_code`;
  return { sql, params };
}

/** Every line, in point order, with the names a spreadsheet shows: for the CSV. */
export function reconciliationExport(filter: ReconciliationFilter): Statement {
  const params: unknown[] = [];
  const lines = reconciliationLines(filter, params);
  const sql = `${lines}
    SELECT ${LINE_COLUMNS}, l.postal_point_name, l.province_name
    FROM lines l ORDER BY l.postal_point_code`;
  return { sql, params };
}
