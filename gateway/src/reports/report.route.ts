import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Express, Request, Response } from 'express';
import type { Logger } from '../../../subgraphs/shared/src';

/** The CSV exports, served beside /graphql; the payments subgraph streams them from PostgreSQL. */
export const REPORT_PATHS = ['/reports/reconciliation.csv', '/reports/settlement-batches/:file'] as const;

/** What the gateway passes back of the subgraph's answer (never its internal URL or server headers). */
const PASSED_HEADERS = ['content-type', 'content-disposition', 'cache-control', 'x-content-type-options', 'www-authenticate', 'retry-after'];

const UNAVAILABLE = 'Hệ thống tạm thời không trả lời, vui lòng thử lại sau.\nThe service is not answering; try again shortly.';

/**
 * Passes report requests through to the payments subgraph with the caller's Authorization header and the request
 * id, and pipes the file back as it comes (the client's pace holds the subgraph back, so neither side buffers the
 * report). The subgraph verifies the token and decides who gets the file, as it does for /graphql: the gateway adds
 * nothing to the decision and takes nothing from it. `timeoutMs` bounds the wait for the answer to start, not the
 * download; a client that leaves cancels the subgraph's stream.
 */
export function registerReportRoutes(app: Express, paymentsUrl: () => string | undefined, log: Logger, timeoutMs: number): void {
  const handler = async (req: Request, res: Response) => {
    const base = paymentsUrl();
    if (!base) return unavailable(res);
    const target = new URL(req.path, base);
    target.search = new URL(req.originalUrl, 'http://gateway').search;
    const upstream = new AbortController();
    const cancel = () => upstream.abort();
    res.once('close', cancel);
    const timer = setTimeout(cancel, timeoutMs);
    let answer: globalThis.Response;
    try {
      answer = await fetch(target, {
        headers: {
          ...(req.header('authorization') ? { authorization: req.header('authorization')! } : {}),
          'x-request-id': res.locals.requestId as string,
        },
        signal: upstream.signal,
      });
    } catch (error) {
      log.warn('report request to payments failed', { requestId: res.locals.requestId, message: (error as Error).message });
      return unavailable(res);
    } finally {
      clearTimeout(timer);
    }
    res.status(answer.status);
    for (const name of PASSED_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) res.set(name, value);
    }
    if (!answer.body) { res.end(); return; }
    try {
      await pipeline(Readable.fromWeb(answer.body as unknown as NodeReadableStream), res);
    } catch (error) {
      if (!upstream.signal.aborted) log.warn('report stream cut', { requestId: res.locals.requestId, message: (error as Error).message });
      res.destroy();
    } finally {
      res.off('close', cancel);
    }
  };
  for (const path of REPORT_PATHS) app.get(path, handler);
}

function unavailable(res: Response): void {
  if (res.headersSent) { res.destroy(); return; }
  res.status(503).set({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store', 'Retry-After': '5' }).send(UNAVAILABLE);
}
