import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import { splitCsv } from '../../../shared/src/csv';
import type { PostalPointKind } from './postal-point.generator';
import provincesFile from './provinces.json';

/** One postal point as a file (or the development generator) states it; the province name comes from the code. */
export interface PostalPointRow {
  code: string;
  name: string;
  kind: PostalPointKind;
  provinceCode: string;
  district: string;
  address: string;
  phone: string;
  isOpen: boolean;
}

/** `line` is the file's line number (1 = the header), or the 1-based position in a list that came from no file. */
export interface ImportProblem { line: number; field?: string; message: string }

/** The input is refused as a whole; `problems` lists every bad row at once, not just the first. */
export class PostalPointImportError extends Error {
  constructor(readonly problems: ImportProblem[], readonly where: 'line' | 'point' = 'line') {
    super(`${problems.length} problem(s), nothing imported:\n${problems.map((p) => `  ${where} ${p.line}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n')}`);
    this.name = 'PostalPointImportError';
  }
}

export interface ImportOptions {
  /**
   * Let `isOpen: true` reopen a point that is closed in the database. Off by default: an administrator may have
   * closed it (setPostalPointOpen), and a routine re-import of the operator's list must not undo that.
   */
  reopen?: boolean;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** The postal-point cache of running services; changed points are purged from it once the import has committed. */
  cache?: { purge(...keys: string[]): Promise<void> };
}

export interface ImportResult { total: number; inserted: number; updated: number; unchanged: number }

export const POSTAL_POINT_CSV_COLUMNS = ['code', 'name', 'kind', 'province_code', 'district', 'address', 'phone', 'is_open'] as const;

const KINDS: Record<PostalPointKind, string> = { POST_OFFICE: 'BC', COMMUNE_CULTURAL_POST_OFFICE: 'VHX', AGENT: 'DL' };
const PROVINCE_NAMES = new Map(provincesFile.provinces.map((p) => [p.code, p.name]));
const CODE = /^(\d{3})-(BC|VHX|DL)-(\d{4})$/;
// Landlines are 0 + area code + subscriber (11 digits), mobiles 10; spaces and dots are how they are printed.
const PHONE = /^0[\d .]+$/;
const MAX_LENGTH = { name: 200, district: 100, address: 300 } as const;
const DEFAULT_BATCH = 1_000;

/** The rules a postal point must meet before it is written; the messages name the CSV column. */
export function postalPointProblems(point: PostalPointRow): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const code = CODE.exec(point.code);
  if (!code) problems.push({ field: 'code', message: `"${point.code}" is not <province code>-<BC|VHX|DL>-<4 digits>, e.g. 001-BC-0001` });
  if (!Object.hasOwn(KINDS, point.kind)) problems.push({ field: 'kind', message: `"${point.kind}" is not one of ${Object.keys(KINDS).join(', ')}` });
  if (!PROVINCE_NAMES.has(point.provinceCode)) problems.push({ field: 'province_code', message: `"${point.provinceCode}" is not a province code (three digits, 001 to 096)` });
  if (code && PROVINCE_NAMES.has(point.provinceCode) && code[1] !== point.provinceCode) {
    problems.push({ field: 'code', message: `starts with province ${code[1]} but province_code is ${point.provinceCode}` });
  }
  if (code && Object.hasOwn(KINDS, point.kind) && code[2] !== KINDS[point.kind]) {
    problems.push({ field: 'code', message: `says ${code[2]} but kind ${point.kind} is ${KINDS[point.kind]}` });
  }
  for (const field of ['name', 'district', 'address'] as const) {
    if (!point[field].trim()) problems.push({ field, message: 'is empty' });
    else if (point[field].length > MAX_LENGTH[field]) problems.push({ field, message: `is longer than ${MAX_LENGTH[field]} characters` });
  }
  const digits = point.phone.replace(/[ .]/g, '');
  if (!PHONE.test(point.phone) || digits.length < 10 || digits.length > 11) {
    problems.push({ field: 'phone', message: `"${point.phone}" is not a phone number: 0 and 9 or 10 more digits (spaces and dots allowed)` });
  }
  if (typeof point.isOpen !== 'boolean') problems.push({ field: 'is_open', message: `${JSON.stringify(point.isOpen)} is not true or false` });
  return problems;
}

/**
 * Reads the CSV described by POSTAL_POINT_CSV_COLUMNS and checks every row; throws a PostalPointImportError
 * naming the line of every problem when any row is bad, so a file is taken whole or not at all.
 */
export function parsePostalPointsCsv(text: string): PostalPointRow[] {
  const { records, problems: malformed } = splitCsv(text);
  const problems: ImportProblem[] = [...malformed];
  const [header, ...rows] = records;
  const expected = POSTAL_POINT_CSV_COLUMNS.join(',');
  if (!header) throw new PostalPointImportError([...problems, { line: 1, message: `the file is empty; its first line must be the header ${expected}` }]);
  if (problems.some((p) => p.line <= header.line)) {
    throw new PostalPointImportError([...problems.filter((p) => p.line <= header.line), { line: 1, message: `the first line must be the header ${expected}` }]);
  }
  if (header.fields.join(',') !== expected) {
    // Without the right header no column can be trusted, so nothing else is checked.
    throw new PostalPointImportError([{ line: header.line, message: `the header must be exactly ${expected}, found ${header.fields.join(',')}` }]);
  }
  if (rows.length === 0 && problems.length === 0) throw new PostalPointImportError([{ line: 2, message: 'no postal points after the header' }]);

  const points: PostalPointRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { line, fields } of rows) {
    if (fields.length !== POSTAL_POINT_CSV_COLUMNS.length) {
      problems.push({ line, message: `${fields.length} fields where ${POSTAL_POINT_CSV_COLUMNS.length} are expected (a field with a comma must be in double quotes)` });
      continue;
    }
    const [code, name, kind, provinceCode, district, address, phone, isOpen] = fields;
    const open = isOpen.toLowerCase();
    const point = { code, name, kind: kind as PostalPointKind, provinceCode, district, address, phone, isOpen: open === 'true' ? true : open === 'false' ? false : (isOpen as never) };
    for (const problem of postalPointProblems(point)) problems.push({ line, ...problem });
    const earlier = firstLineOf.get(code);
    if (earlier !== undefined) problems.push({ line, field: 'code', message: `${code} is already on line ${earlier}` });
    else firstLineOf.set(code, line);
    points.push(point);
  }
  if (problems.length) throw new PostalPointImportError(problems.sort((a, b) => a.line - b.line));
  return points;
}

/** parsePostalPointsCsv on a file, which must be UTF-8 (Vietnamese names do not survive a legacy code page). */
export async function readPostalPointsFile(path: string): Promise<PostalPointRow[]> {
  const bytes = await readFile(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PostalPointImportError([{ line: 1, message: 'the file is not UTF-8; save it as "CSV UTF-8"' }]);
  }
  return parsePostalPointsCsv(text);
}

/**
 * Upserts postal points by code, all in one transaction: on any failure nothing is imported. What wins:
 * - new codes are inserted as given;
 * - for an existing code the input wins for name, kind, province, district, address and phone;
 * - `isOpen: false` closes a point, but `isOpen: true` reopens a closed one only with `reopen` (see ImportOptions);
 * - points the input does not mention are left as they are (dossiers and accounts refer to them).
 * Rows whose values are all unchanged are not rewritten, so a re-run changes nothing, `updated_at` included.
 */
export async function importPostalPoints(db: DataSource, points: readonly PostalPointRow[], options: ImportOptions = {}): Promise<ImportResult> {
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  points.forEach((point, index) => {
    for (const problem of postalPointProblems(point)) problems.push({ line: index + 1, ...problem });
    if (seen.has(point.code)) problems.push({ line: index + 1, field: 'code', message: `${point.code} is already point ${seen.get(point.code)}` });
    else seen.set(point.code, index + 1);
  });
  if (problems.length) throw new PostalPointImportError(problems, 'point');

  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const reopen = options.reopen ?? false;
  const changed: string[] = [];
  let inserted = 0;
  await db.transaction(async (manager) => {
    for (let start = 0; start < points.length; start += batchSize) {
      const batch = points.slice(start, start + batchSize);
      const column = <K extends keyof PostalPointRow>(key: K) => batch.map((p) => p[key]);
      // One array parameter per column keeps a batch one statement whatever its size. `xmax = 0` is PostgreSQL's
      // tell for a row this statement inserted rather than updated. The open state is written once as an
      // expression and compared with the same expression, so an unchanged row is skipped, not rewritten.
      const rows = (await manager.query(
        `INSERT INTO payments.postal_points AS p (code, name, kind, province_code, province_name, district, address, phone, is_open)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[])
         ON CONFLICT (code) DO UPDATE SET
           name = EXCLUDED.name, kind = EXCLUDED.kind, province_code = EXCLUDED.province_code, province_name = EXCLUDED.province_name,
           district = EXCLUDED.district, address = EXCLUDED.address, phone = EXCLUDED.phone,
           is_open = CASE WHEN $10::boolean THEN EXCLUDED.is_open ELSE p.is_open AND EXCLUDED.is_open END,
           updated_at = now()
         WHERE (p.name, p.kind, p.province_code, p.province_name, p.district, p.address, p.phone, p.is_open)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.province_code, EXCLUDED.province_name, EXCLUDED.district, EXCLUDED.address,
                             EXCLUDED.phone, CASE WHEN $10::boolean THEN EXCLUDED.is_open ELSE p.is_open AND EXCLUDED.is_open END)
         RETURNING code, (xmax = 0) AS inserted`,
        [column('code'), column('name'), column('kind'), column('provinceCode'), batch.map((p) => PROVINCE_NAMES.get(p.provinceCode)!),
          column('district'), column('address'), column('phone'), column('isOpen'), reopen],
      )) as { code: string; inserted: boolean }[];
      for (const row of rows) {
        if (row.inserted) inserted++;
        else changed.push(row.code);
      }
      options.onProgress?.(start + batch.length, points.length);
    }
  });
  // After the commit: purged earlier, a concurrent read could cache the old row again before the new one is visible.
  for (let start = 0; start < changed.length; start += batchSize) await options.cache?.purge(...changed.slice(start, start + batchSize));
  return { total: points.length, inserted, updated: changed.length, unchanged: points.length - inserted - changed.length };
}
