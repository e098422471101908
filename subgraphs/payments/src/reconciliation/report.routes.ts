import type { Express, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { BadInputError, can, isUuid, type Action, type ActionResources, type Logger, type Principal, type TokenVerifier } from '../../../shared/src';
import { SETTLEMENT_CSV_COLUMNS, SETTLEMENT_EXPORT_SQL } from '../settlement/settlement.csv';
import { settlementFileName } from '../settlement/settlement.rules';
import { streamCsv } from './csv';
import { reconciliationCsvColumns } from './reconciliation.csv';
import { checkReconciliationFilter, reconciliationFileName, REPORT_PATHS } from './reconciliation.rules';
import { reconciliationExport } from './reconciliation.sql';

export interface ReportDependencies { db: DataSource; verifier: TokenVerifier; log: Logger }

const PLAIN = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' };

const REFUSALS = {
  unauthenticated: { status: 401, text: 'Cần đăng nhập: gửi kèm "Authorization: Bearer <access token>".\nLog in first: send "Authorization: Bearer <access token>".' },
  forbidden: { status: 403, text: 'Chỉ bộ phận tài chính (cấp độ 2) được tải báo cáo này.\nOnly level-2 finance staff download this report.' },
  missing: { status: 404, text: 'Không tìm thấy bảng kê quyết toán.\nNo such settlement batch.' },
  unavailable: { status: 503, text: 'Hệ thống tạm thời không trả lời, vui lòng thử lại sau.\nThe service is not answering; try again shortly.' },
} as const;

/**
 * The CSV exports, streamed from PostgreSQL (csv.ts): a day's reconciliation with the query's filters, and a
 * settlement batch's items. The gateway serves the same paths by passing requests through with their Authorization
 * header; here the bearer token is verified exactly as for /graphql (a subgraph reached directly grants nothing the
 * gateway would not), and only finance gets a file: no or a bad token 401, another role 403.
 */
export function registerReportRoutes(app: Express, deps: ReportDependencies): void {
  app.get(REPORT_PATHS.reconciliation, async (req: Request, res: Response) => {
    if (!(await allowed(req, res, deps, 'reconciliation.export', {}))) return;
    let filter;
    try {
      filter = checkReconciliationFilter(req.query as Record<string, unknown>);
    } catch (error) {
      return badRequest(res, error as BadInputError);
    }
    const { sql, params } = reconciliationExport(filter);
    await stream(res, deps, () => streamCsv({
      db: deps.db, res, sql, params, columns: reconciliationCsvColumns(filter.businessDate, !!filter.agencyCode),
      fileName: reconciliationFileName(filter), log: deps.log,
    }));
  });

  app.get(REPORT_PATHS.settlementBatchRoute, async (req: Request<{ file: string }>, res: Response) => {
    if (!(await allowed(req, res, deps, 'settlement.read', { agencyCode: null }))) return;
    const id = /^(.+)\.csv$/.exec(req.params.file)?.[1]?.toLowerCase();
    if (!id || !isUuid(id)) return refuse(res, 'missing');
    await stream(res, deps, async () => {
      const [batch]: { agency_code: string; business_date: string }[] = await deps.db.query(
        `SELECT agency_code, business_date::text AS business_date FROM payments.settlement_batches WHERE id = $1`, [id]);
      if (!batch) return refuse(res, 'missing');
      await streamCsv({
        db: deps.db, res, sql: SETTLEMENT_EXPORT_SQL, params: [id], columns: SETTLEMENT_CSV_COLUMNS,
        fileName: settlementFileName({ agencyCode: batch.agency_code, businessDate: batch.business_date }), log: deps.log,
      });
    });
  });
}

/** Verifies the bearer token and checks the action; answers 401 or 403 itself and returns false when refused. */
async function allowed<A extends Action>(req: Request<any>, res: Response, deps: ReportDependencies, action: A, resource: ActionResources[A]): Promise<boolean> {
  let principal: Principal | null = null;
  try {
    principal = await deps.verifier.fromAuthorizationHeader(req.header('authorization'));
  } catch {
    principal = null;
  }
  if (!principal) { refuse(res, 'unauthenticated'); return false; }
  if (!can(principal, action, resource)) {
    deps.log.info('report refused', { requestId: res.locals.requestId, action, caller: { accountId: principal.accountId, role: principal.role } });
    refuse(res, 'forbidden');
    return false;
  }
  deps.log.info('report requested', { requestId: res.locals.requestId, path: req.path, caller: { accountId: principal.accountId, role: principal.role } });
  return true;
}

async function stream(res: Response, deps: ReportDependencies, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.log.error('report failed', { requestId: res.locals.requestId, message: (error as Error).message });
    if (!res.headersSent) refuse(res, 'unavailable');
  }
}

function badRequest(res: Response, error: BadInputError): void {
  const problems = (error.extensions.problems as { field: string; message: string }[] | undefined) ?? [];
  res.status(400).set(PLAIN).send([error.message, ...problems.map((p) => `${p.field}: ${p.message}`)].join('\n'));
}

function refuse(res: Response, kind: keyof typeof REFUSALS): void {
  const { status, text } = REFUSALS[kind];
  res.status(status).set(PLAIN);
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  if (status === 503) res.set('Retry-After', '5');
  res.send(text);
}
