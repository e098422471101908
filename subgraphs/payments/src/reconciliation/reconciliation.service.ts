import type { DataSource } from 'typeorm';
import { assertCan, decodeCursor, pageSize, toConnection, type Principal } from '../../../shared/src';
import { checkReconciliationFilter, reconciliationCsvPath, type RawReconciliationFilter } from './reconciliation.rules';
import { reconciliationPage } from './reconciliation.sql';
import { ReconciliationStatus, type ReconciliationConnection, type ReconciliationLine, type ReconciliationTotals } from './reconciliation.types';

interface PageRow {
  line_count: number; total_due: string; total_collected: string; total_cod_collected: string; total_cod_dispatched: string;
  total_remitted: string | null; total_difference: string | null; total_to_remit: string | null; total_cash_advance: string | null;
  matched: number; short: number; over: number; missing: number; unexpected: number;
  postal_point_code: string | null; province_code: string | null; due: string; collected: string; cod_collected: string; cod_dispatched: string;
  movement_count: number; remitted: string | null; difference: string | null; to_remit: string | null; cash_advance: string | null; status: ReconciliationStatus;
}

const money = (value: string | null) => (value === null ? null : BigInt(value));

/** A business day's reconciliation per postal point (definitions in reconciliation.sql.ts). */
export class ReconciliationService {
  constructor(private readonly db: DataSource) {}

  async reconcile(principal: Principal | null, raw: RawReconciliationFilter, first?: number | null, after?: string | null): Promise<ReconciliationConnection> {
    const filter = checkReconciliationFilter(raw);
    assertCan(principal, 'reconciliation.read', { postalPointCode: filter.postalPointCode ?? null },
      'Finance and administrators read the reconciliation; a clerk or supervisor reads their own postal point\'s (give its postalPointCode).');
    const size = pageSize(first);
    const position = decodeCursor(after, ['string'])?.[0] as string | undefined;
    const { sql, params } = reconciliationPage(filter, position, size + 1);
    const rows: PageRow[] = await this.db.query(sql, params);
    const [head] = rows;
    const lines = rows.filter((row) => row.postal_point_code !== null).map(lineOf);
    const connection = toConnection(lines, size, (line) => [line.postalPointCode], position !== undefined);
    return Object.assign(connection, { businessDate: filter.businessDate, totals: totalsOf(head), csvPath: reconciliationCsvPath(filter) }) as ReconciliationConnection;
  }
}

function lineOf(row: PageRow): ReconciliationLine {
  return {
    postalPointCode: row.postal_point_code!, provinceCode: row.province_code,
    due: BigInt(row.due), collected: BigInt(row.collected), codCollected: BigInt(row.cod_collected), codDispatched: BigInt(row.cod_dispatched),
    remitted: money(row.remitted), difference: money(row.difference), toRemit: money(row.to_remit), cashAdvance: money(row.cash_advance),
    status: row.status, movementCount: row.movement_count,
  };
}

function totalsOf(row: PageRow): ReconciliationTotals {
  const counts: Record<ReconciliationStatus, number> = {
    MATCHED: row.matched, SHORT: row.short, OVER: row.over, MISSING: row.missing, UNEXPECTED: row.unexpected,
  };
  return {
    lineCount: row.line_count,
    due: BigInt(row.total_due), collected: BigInt(row.total_collected),
    codCollected: BigInt(row.total_cod_collected), codDispatched: BigInt(row.total_cod_dispatched),
    remitted: money(row.total_remitted), difference: money(row.total_difference), toRemit: money(row.total_to_remit), cashAdvance: money(row.total_cash_advance),
    byStatus: Object.values(ReconciliationStatus).map((status) => ({ status, lineCount: counts[status] })),
  };
}
