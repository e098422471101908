import type { Express, Request, Response } from 'express';
import type { InProcessExecute, Logger } from '../../../subgraphs/shared/src';
import { receiptFileName, receiptView } from './receipt.format';
import { renderReceiptHtml } from './receipt.html';
import { renderReceiptPdf } from './receipt.pdf';
import { readReceipt, RECEIPT_OPERATION_NAME, RECEIPT_QUERY, type ReceiptLookup } from './receipt.query';

/** The receipt's address for a dossier; documents builds `Dossier.receiptUrl` on the same pattern. */
export const RECEIPT_PATH = '/dossiers/:id/receipt';

/** Personal data: kept by no cache, read as nothing but what it says it is, and the page loads nothing. */
const PRIVATE = { 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
const PAGE_POLICY = { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" };

const REFUSALS = {
  unauthenticated: { status: 401, text: 'Cần đăng nhập: gửi kèm "Authorization: Bearer <access token>".\nLog in first: send "Authorization: Bearer <access token>".' },
  missing: { status: 404, text: 'Không tìm thấy hồ sơ.\nNo such dossier.' },
  unavailable: { status: 503, text: 'Hệ thống tạm thời không trả lời, vui lòng thử lại sau.\nThe service is not answering; try again shortly.' },
} as const;

/**
 * The receipt (phiếu tiếp nhận) of a dossier, as a page and as a PDF. Its data comes from the graph itself, run in
 * this process with the caller's token exactly as a request to /graphql would be: whoever may see the dossier
 * there gets its receipt here, and everyone else, as for a dossier that does not exist, a 404.
 */
export function registerReceiptRoutes(app: Express, execute: InProcessExecute, log: Logger): void {
  app.get(RECEIPT_PATH, async (req: Request<{ id: string }>, res: Response) => {
    const lookup = await lookUp(req, res, execute, log);
    if (lookup.kind !== 'found') return refuse(res, lookup.kind);
    res.status(200).set({ ...PRIVATE, ...PAGE_POLICY, 'Content-Type': 'text/html; charset=utf-8' }).send(renderReceiptHtml(receiptView(lookup.receipt)));
  });

  app.get(`${RECEIPT_PATH}.pdf`, async (req: Request<{ id: string }>, res: Response) => {
    const lookup = await lookUp(req, res, execute, log);
    if (lookup.kind !== 'found') return refuse(res, lookup.kind);
    let pdf: Buffer;
    try {
      pdf = await renderReceiptPdf(receiptView(lookup.receipt));
    } catch (error) {
      log.error('receipt PDF failed', { requestId: res.locals.requestId, error });
      return refuse(res, 'unavailable');
    }
    res.status(200).set({
      ...PRIVATE,
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${receiptFileName(lookup.receipt.registrationCode)}"`,
    }).send(pdf);
  });
}

async function lookUp(req: Request<{ id: string }>, res: Response, execute: InProcessExecute, log: Logger): Promise<ReceiptLookup> {
  // Anonymous callers see no dossier in the graph; here they are told to log in rather than "not found".
  if (!req.header('authorization')) return { kind: 'unauthenticated' };
  try {
    return readReceipt(await execute(req, res, { query: RECEIPT_QUERY, operationName: RECEIPT_OPERATION_NAME, variables: { id: req.params.id } }));
  } catch (error) {
    // The context refuses a bad, expired or ended token with UNAUTHENTICATED, as it does for /graphql.
    if ((error as { extensions?: { code?: unknown } }).extensions?.code === 'UNAUTHENTICATED') return { kind: 'unauthenticated' };
    log.warn('receipt lookup failed', { requestId: res.locals.requestId, message: (error as Error).message });
    return { kind: 'unavailable' };
  }
}

function refuse(res: Response, kind: keyof typeof REFUSALS): void {
  const { status, text } = REFUSALS[kind];
  res.status(status).set({ ...PRIVATE, ...PAGE_POLICY, 'Content-Type': 'text/plain; charset=utf-8' });
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  if (status === 503) res.set('Retry-After', '5');
  res.send(text);
}
