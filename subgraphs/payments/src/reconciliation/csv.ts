import { once } from 'node:events';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../../shared/src';

/** Spreadsheets (Excel above all) read a CSV as UTF-8 only when it starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';
/** RFC 4180 ends every record with CRLF. */
const CRLF = '\r\n';

export type CsvValue = string | number | bigint | boolean | null | undefined;

/**
 * A column: its header and how a row gives its value. `number` columns (amounts, counts) are written as they are,
 * so a spreadsheet sums them; `text` columns are protected against formula injection: a value starting with =, +,
 * -, @, a tab or a carriage return would be run as a formula by a spreadsheet, so it is prefixed with an apostrophe
 * (OWASP's advice), which spreadsheets show as text.
 */
export interface CsvColumn<R> { header: string; kind?: 'text' | 'number'; value: (row: R) => CsvValue }

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, RFC 4180: quoted when it holds a comma, a double quote or a line break, inner quotes doubled. */
export function csvField(value: CsvValue, kind: 'text' | 'number' = 'text'): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
  if (kind === 'text' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record with its CRLF. */
export function csvRecord<R>(columns: readonly CsvColumn<R>[], row: R): string {
  return columns.map((column) => csvField(column.value(row), column.kind)).join(',') + CRLF;
}

/** The header record. */
export function csvHeader(columns: readonly CsvColumn<unknown>[]): string {
  return columns.map((column) => csvField(column.header)).join(',') + CRLF;
}

export interface CsvStreamOptions<R> {
  db: DataSource;
  res: Response;
  sql: string;
  params: unknown[];
  columns: readonly CsvColumn<R>[];
  fileName: string;
  log: Logger;
  /** Rows fetched from PostgreSQL at a time: what the process holds of the report at once. */
  batchSize?: number;
  /** How long a client may keep the stream waiting (its buffer full) before it is cut off: the transaction's snapshot is held meanwhile. */
  stallTimeoutMs?: number;
}

/**
 * Streams a query's rows as a CSV download in constant memory: the rows are read through a cursor (`DECLARE …
 * CURSOR`, then `FETCH` a batch at a time) in one read-only REPEATABLE READ transaction, so the file is one
 * consistent picture however long it takes, and each batch is written only once the client has taken the previous
 * one (the response's back-pressure). A client that goes away, or stalls too long, ends the transaction. Errors
 * before the first row are thrown (the caller answers them); after it, the response is cut, never completed with a
 * partial file that looks whole.
 */
export async function streamCsv<R>(options: CsvStreamOptions<R>): Promise<void> {
  const { db, res, columns, log } = options;
  const batchSize = options.batchSize ?? 1000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  let closed = false;
  res.once('close', () => { closed = true; });
  const clientGone = () => closed && !res.writableFinished;
  const runner = db.createQueryRunner();
  await runner.connect();
  let inTransaction = false;
  try {
    await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    inTransaction = true;
    await runner.query(`DECLARE report NO SCROLL CURSOR FOR ${options.sql}`, options.params);
    const fetch = (): Promise<R[]> => runner.query(`FETCH ${batchSize} FROM report`);
    let rows = await fetch();
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${options.fileName}"`,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write(UTF8_BOM + csvHeader(columns as readonly CsvColumn<unknown>[]));
    let written = 0;
    while (rows.length && !clientGone()) {
      // The next batch is fetched while the client takes the last one; it is written once the client has room
      // (asked now, not when the write returned: the buffer may have drained during the fetch).
      if (res.writableNeedDrain && !closed) await drained(res, stallTimeoutMs);
      if (clientGone()) break;
      res.write(rows.map((row) => csvRecord(columns, row)).join(''));
      written += rows.length;
      rows = rows.length < batchSize ? [] : await fetch();
    }
    await runner.query('COMMIT');
    inTransaction = false;
    if (clientGone()) log.info('csv download abandoned by the client', { fileName: options.fileName, rows: written });
    else res.end();
  } catch (error) {
    if (inTransaction) await runner.query('ROLLBACK').catch(() => undefined);
    if (!res.headersSent) throw error;
    log.warn('csv stream cut', { fileName: options.fileName, message: (error as Error).message });
    res.destroy(error as Error);
  } finally {
    await runner.release();
  }
}

/** Waits for the client to take what was written; refuses to wait past `timeoutMs` or for a client that left. */
async function drained(res: Response, timeoutMs: number): Promise<void> {
  const waiting = new AbortController();
  let stalled = false;
  const timer = setTimeout(() => { stalled = true; waiting.abort(); }, timeoutMs);
  try {
    await Promise.race([once(res, 'drain', { signal: waiting.signal }), once(res, 'close', { signal: waiting.signal })]);
  } catch (error) {
    throw stalled ? new Error(`the client took nothing for ${timeoutMs} ms`) : error;
  } finally {
    clearTimeout(timer);
    // The listener that did not fire is removed (its promise rejects into the settled race).
    waiting.abort();
  }
}
