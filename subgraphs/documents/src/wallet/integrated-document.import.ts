import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { isUuid, todayInVietnam } from '../../../shared/src';
import { splitCsv } from '../../../shared/src/csv';
import { checkIssuedFacts, checkReason, DOCUMENT_TYPES, ISSUER_OF, type IntegratedDocumentType } from './document-rules';
import { writeDocuments, type StatedDocument } from './document-writer';

/**
 * One document as an issuer's file states it. Documents know people only by their account id: the issuer's
 * extract names the holder's account (the portal's link between a person and their account), never a personal
 * identification number to look up.
 */
export interface IntegratedDocumentRow {
  holderAccountId: string;
  type: string;
  number: string;
  issuerAgencyCode: string;
  issuedOn: string;
  expiresOn: string | null;
  licenceClasses: string[];
  revoked: boolean;
  revocationReason: string | null;
}

/** A row and where it came from: its line in the file (or its 1-based position in a list from no file). */
export interface SourcedRow { line: number; row: IntegratedDocumentRow }

/** A row that was not applied, and why; the other rows are imported all the same. */
export interface RejectedRow { line: number; reason: string }

export interface ImportResult {
  /** Rows read, rejected ones included. */
  total: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
}

export interface ImportOptions {
  batchSize?: number;
  /** After each batch has committed: rows done (rejected ones included) of the total. */
  onProgress?: (done: number, total: number) => void;
  /** Every row is for this account, whatever its holderAccountId says (the sample file into a demo wallet). */
  holderAccountId?: string;
  /** Today in Vietnam (issue dates after it are refused); the real today when omitted. */
  today?: string;
}

/** The holder the sample files name (scripts/data/sample-documents.*): rows naming it need a holder given with them. */
export const SAMPLE_HOLDER_PLACEHOLDER = '00000000-0000-4000-8000-000000000000';

export const DOCUMENT_CSV_COLUMNS = ['holder_account_id', 'type', 'number', 'issuer_agency_code', 'issued_on', 'expires_on', 'licence_classes', 'revoked', 'revocation_reason'] as const;
const JSON_KEYS = ['holderAccountId', 'type', 'number', 'issuerAgencyCode', 'issuedOn', 'expiresOn', 'licenceClasses', 'revoked', 'revocationReason'];
const DEFAULT_BATCH = 1_000;

export interface ParsedFile { rows: SourcedRow[]; rejected: RejectedRow[] }

/** One JSON object per line, keys as IntegratedDocumentRow's; blank lines are skipped. */
export function parseDocumentsJsonl(text: string): ParsedFile {
  const rows: SourcedRow[] = [];
  const rejected: RejectedRow[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      rejected.push({ line, reason: 'not a JSON object' });
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      rejected.push({ line, reason: 'not a JSON object' });
      return;
    }
    const o = value as Record<string, unknown>;
    const problems: string[] = [];
    const unknown = Object.keys(o).filter((k) => !JSON_KEYS.includes(k));
    if (unknown.length) problems.push(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (the fields are ${JSON_KEYS.join(', ')})`);
    const text = (key: string, optional = false): string | null => {
      const v = o[key];
      if ((v === undefined || v === null) && optional) return null;
      if (typeof v === 'string') return v;
      problems.push(`${key}: ${v === undefined ? 'missing' : 'must be a string'}`);
      return '';
    };
    const classes = o.licenceClasses;
    if (classes !== undefined && classes !== null && !(Array.isArray(classes) && classes.every((c) => typeof c === 'string'))) problems.push('licenceClasses: must be a list of strings');
    if (o.revoked !== undefined && o.revoked !== null && typeof o.revoked !== 'boolean') problems.push('revoked: must be true or false');
    const row: IntegratedDocumentRow = {
      holderAccountId: text('holderAccountId')!, type: text('type')!, number: text('number')!, issuerAgencyCode: text('issuerAgencyCode')!,
      issuedOn: text('issuedOn')!, expiresOn: text('expiresOn', true), licenceClasses: Array.isArray(classes) ? (classes as string[]) : [],
      revoked: o.revoked === true, revocationReason: text('revocationReason', true),
    };
    if (problems.length) rejected.push({ line, reason: problems.join('; ') });
    else rows.push({ line, row });
  });
  return { rows, rejected };
}

/** The CSV described by DOCUMENT_CSV_COLUMNS; licence classes separated by `|`, revoked `true`/`false`/empty. */
export function parseDocumentsCsv(text: string): ParsedFile {
  const { records, problems } = splitCsv(text);
  const rejected: RejectedRow[] = problems.map((p) => ({ line: p.line, reason: p.message }));
  const [header, ...records_] = records;
  const expected = DOCUMENT_CSV_COLUMNS.join(',');
  if (!header || header.fields.join(',') !== expected) {
    // Without the right header no column can be trusted: nothing is read.
    return { rows: [], rejected: [{ line: header?.line ?? 1, reason: `the header must be exactly ${expected}${header ? `, found ${header.fields.join(',')}` : ''}` }] };
  }
  const rows: SourcedRow[] = [];
  for (const { line, fields } of records_) {
    if (fields.length !== DOCUMENT_CSV_COLUMNS.length) {
      rejected.push({ line, reason: `${fields.length} fields where ${DOCUMENT_CSV_COLUMNS.length} are expected (a field with a comma must be in double quotes)` });
      continue;
    }
    const [holderAccountId, type, number, issuerAgencyCode, issuedOn, expiresOn, licenceClasses, revoked, revocationReason] = fields;
    const flag = revoked.toLowerCase();
    if (flag !== '' && flag !== 'true' && flag !== 'false') {
      rejected.push({ line, reason: `revoked: "${revoked}" is not true or false` });
      continue;
    }
    rows.push({
      line,
      row: {
        holderAccountId, type, number, issuerAgencyCode, issuedOn, expiresOn: expiresOn || null,
        licenceClasses: licenceClasses ? licenceClasses.split('|').map((c) => c.trim()) : [],
        revoked: flag === 'true', revocationReason: revocationReason || null,
      },
    });
  }
  return { rows, rejected: rejected.sort((a, b) => a.line - b.line) };
}

export class DocumentsFileError extends Error {}

/** A `.jsonl` (or `.ndjson`) or `.csv` file, which must be UTF-8 (Vietnamese text does not survive a legacy code page). */
export async function readDocumentsFile(file: string): Promise<ParsedFile> {
  const extension = path.extname(file).toLowerCase();
  if (!['.jsonl', '.ndjson', '.csv'].includes(extension)) throw new DocumentsFileError(`${file}: name a .jsonl (JSON lines) or .csv file`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DocumentsFileError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DocumentsFileError(`${file}: not UTF-8; save it as UTF-8 ("CSV UTF-8" in Excel)`);
  }
  return extension === '.csv' ? parseDocumentsCsv(text) : parseDocumentsJsonl(text);
}

/** A row checked against the wallet's rules: what it states, or why it is rejected (every problem at once). */
export function checkDocumentRow(row: IntegratedDocumentRow, today: string): { stated: StatedDocument } | { reason: string } {
  const problems: string[] = [];
  if (!isUuid(row.holderAccountId ?? '')) problems.push(`holderAccountId: "${row.holderAccountId}" is not an account id (a uuid)`);
  else if (row.holderAccountId === SAMPLE_HOLDER_PLACEHOLDER) problems.push('holderAccountId: the sample files\' placeholder; say whose wallet the rows go to (--holder ACCOUNT_ID)');
  const knownType = DOCUMENT_TYPES.includes(row.type as IntegratedDocumentType);
  if (knownType && row.issuerAgencyCode !== ISSUER_OF[row.type as IntegratedDocumentType]) {
    problems.push(`issuerAgencyCode: a ${row.type} is issued by ${ISSUER_OF[row.type as IntegratedDocumentType]}, not "${row.issuerAgencyCode}"`);
  }
  const facts = checkIssuedFacts({ ...row, type: row.type as IntegratedDocumentType }, today);
  for (const p of facts.problems) problems.push(`${p.field}: ${p.message}`);
  const reason = row.revoked ? checkReason(row.revocationReason, 'revocationReason') : { value: null, problems: [] };
  for (const p of reason.problems) problems.push(`${p.field}: ${p.message}`);
  if (!row.revoked && row.revocationReason) problems.push('revocationReason: given for a row that is not revoked');
  if (problems.length) return { reason: problems.join('; ') };
  return { stated: { ...facts.value, holderAccountId: row.holderAccountId.toLowerCase(), revoked: row.revoked, revocationReason: reason.value, revokedByAccountId: null } };
}

/**
 * Imports what an issuer's file states into the wallet, in batches, each one statement in its own transaction
 * (a long file makes progress that a failure later does not undo, and running it again picks up where it was).
 * Bad rows, a (type, number) already on an earlier line, a number in another holder's wallet and a row older
 * than the issue the wallet holds are rejected with their line and reason; every other row is applied by the
 * rule of document-writer.ts, so importing the same file twice changes nothing, `updated_at` included.
 */
export async function importIntegratedDocuments(db: DataSource, input: ParsedFile | readonly SourcedRow[] | readonly IntegratedDocumentRow[], options: ImportOptions = {}): Promise<ImportResult> {
  // A parsed file brings the lines it could not read; they count as rejected rows.
  const rejected: RejectedRow[] = 'rows' in input ? [...input.rejected] : [];
  const rows = 'rows' in input ? input.rows : input;
  const sourced: SourcedRow[] = rows.map((item, index) => ('row' in item ? item : { line: index + 1, row: item }));
  const total = sourced.length + rejected.length;
  const today = options.today ?? todayInVietnam();
  const good: { line: number; stated: StatedDocument }[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, row } of sourced) {
    const checked = checkDocumentRow(options.holderAccountId ? { ...row, holderAccountId: options.holderAccountId } : row, today);
    if ('reason' in checked) { rejected.push({ line, reason: checked.reason }); continue; }
    const key = `${checked.stated.type} ${checked.stated.number}`;
    const earlier = firstLine.get(key);
    if (earlier !== undefined) { rejected.push({ line, reason: `${key} is already on line ${earlier}` }); continue; }
    firstLine.set(key, line);
    good.push({ line, stated: checked.stated });
  }

  const result: ImportResult = { total, inserted: 0, updated: 0, unchanged: 0, rejected };
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  let done = rejected.length;
  if (!good.length) options.onProgress?.(done, total);
  for (let start = 0; start < good.length; start += batchSize) {
    const batch = good.slice(start, start + batchSize);
    const outcomes = await db.transaction((manager) => writeDocuments(manager, batch.map((b) => b.stated)));
    outcomes.forEach((outcome, i) => {
      const { line, stated } = batch[i];
      switch (outcome.kind) {
        case 'INSERTED': result.inserted++; break;
        case 'UPDATED': result.updated++; break;
        case 'UNCHANGED': result.unchanged++; break;
        case 'OTHER_HOLDER': rejected.push({ line, reason: `${stated.type} ${stated.number} is in another holder's wallet` }); break;
        case 'STALE': rejected.push({ line, reason: `the wallet holds a later issue of ${stated.type} ${stated.number} (issued on ${outcome.storedIssuedOn})` }); break;
      }
    });
    done += batch.length;
    options.onProgress?.(done, total);
  }
  rejected.sort((a, b) => a.line - b.line);
  return result;
}
