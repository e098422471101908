import { AGENCY_CODE, BadInputError, isIsoDate, todayInVietnam, type FieldProblem } from '../../../shared/src';
import type { ReconciliationFilter } from './reconciliation.sql';

const PROVINCE_CODE = /^\d{3}$/;
const POSTAL_POINT_CODE = /^[A-Za-z0-9_-]{1,40}$/;

/** Where the gateway serves the CSV exports (the payments subgraph serves the same paths). */
export const REPORT_PATHS = {
  reconciliation: '/reports/reconciliation.csv',
  settlementBatch: (id: string) => `/reports/settlement-batches/${id}.csv`,
  /** The route of the above (`:file` is `<id>.csv`). */
  settlementBatchRoute: '/reports/settlement-batches/:file',
} as const;

export interface RawReconciliationFilter {
  businessDate?: unknown;
  provinceCode?: unknown;
  postalPointCode?: unknown;
  agencyCode?: unknown;
}

/**
 * The filter checked once, for the query and for the CSV alike: a real date, a three-digit province, a point code,
 * an agency code (upper-cased); empty strings mean "no filter". Every problem is reported at once.
 */
export function checkReconciliationFilter(raw: RawReconciliationFilter): ReconciliationFilter {
  const problems: FieldProblem[] = [];
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  const businessDate = text(raw.businessDate);
  if (!businessDate || !isIsoDate(businessDate)) problems.push({ field: 'businessDate', message: 'A date, YYYY-MM-DD.' });
  const provinceCode = text(raw.provinceCode);
  if (provinceCode !== undefined && !PROVINCE_CODE.test(provinceCode)) problems.push({ field: 'provinceCode', message: 'Three digits, e.g. "001".' });
  const postalPointCode = text(raw.postalPointCode);
  if (postalPointCode !== undefined && !POSTAL_POINT_CODE.test(postalPointCode)) problems.push({ field: 'postalPointCode', message: 'A postal point code, e.g. "001-BC-0001".' });
  const agencyCode = text(raw.agencyCode)?.toUpperCase();
  if (agencyCode !== undefined && !AGENCY_CODE.test(agencyCode)) problems.push({ field: 'agencyCode', message: 'An agency code: 2 to 20 capital letters, digits or "_".' });
  for (const [field, value] of Object.entries(raw)) {
    if (value !== undefined && value !== null && typeof value !== 'string') problems.push({ field, message: 'Given once, as text.' });
  }
  if (problems.length) throw new BadInputError('The reconciliation filter has problems; see extensions.problems.', problems);
  return { businessDate: businessDate!, provinceCode, postalPointCode, agencyCode };
}

/** The CSV's path at the gateway with the same filters. */
export function reconciliationCsvPath(filter: ReconciliationFilter): string {
  const query = new URLSearchParams({ businessDate: filter.businessDate });
  if (filter.provinceCode) query.set('provinceCode', filter.provinceCode);
  if (filter.postalPointCode) query.set('postalPointCode', filter.postalPointCode);
  if (filter.agencyCode) query.set('agencyCode', filter.agencyCode);
  return `${REPORT_PATHS.reconciliation}?${query}`;
}

/** The CSV's file name: ASCII only, so every browser and spreadsheet keeps it. */
export function reconciliationFileName(filter: ReconciliationFilter): string {
  const parts = ['doi-soat', filter.businessDate, filter.provinceCode && `tinh-${filter.provinceCode}`, filter.postalPointCode, filter.agencyCode];
  return `${parts.filter(Boolean).join('_').replace(/[^A-Za-z0-9_.-]/g, '-')}.csv`;
}

/** A remittance is declared for today or an earlier business day (Vietnam's), never ahead. */
export function checkRemittance(businessDate: string, amount: bigint, now: Date): void {
  const problems: FieldProblem[] = [];
  if (!isIsoDate(businessDate)) problems.push({ field: 'businessDate', message: 'A date, YYYY-MM-DD.' });
  else if (businessDate > todayInVietnam(now)) problems.push({ field: 'businessDate', message: `Not a day that has not begun: today is ${todayInVietnam(now)} in Vietnam.` });
  if (amount < 0n) problems.push({ field: 'amount', message: 'Zero or more đồng.' });
  if (amount > 1_000_000_000_000_000n) problems.push({ field: 'amount', message: 'At most 10^15 đồng.' });
  if (problems.length) throw new BadInputError('The remittance has problems; see extensions.problems.', problems);
}
