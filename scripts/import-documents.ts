import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createLogger, isUuid } from '../subgraphs/shared/src';
import { openDocumentsDatabase } from '../subgraphs/documents/src/database/data-source';
import { ISSUER_OF, LICENCE_CLASSES } from '../subgraphs/documents/src/wallet/document-rules';
import { DOCUMENT_CSV_COLUMNS, importIntegratedDocuments, readDocumentsFile, SAMPLE_HOLDER_PLACEHOLDER, type RejectedRow } from '../subgraphs/documents/src/wallet/integrated-document.import';

const PROGRESS_EVERY = 10_000;

const HELP = `Usage: DATABASE_URL=postgres://… npm run import:documents -- <file.jsonl|file.csv> [--report FILE] [--holder ACCOUNT_ID] [--batch N]

Imports integrated documents (giấy tờ tích hợp) from an issuer's records into holders' wallets, in the
documents schema. Runs in production: this is how issuers' existing documents arrive. Applies pending
documents migrations first, as the service does when it starts. Imported documents are backed by the issuer.

The file, UTF-8, by its extension:
  .jsonl (or .ndjson)  one JSON object per line:
      {"holderAccountId":"…","type":"DRIVING_LICENCE","number":"010190001234","issuerAgencyCode":"CDB",
       "issuedOn":"2019-08-15","expiresOn":"2029-08-15","licenceClasses":["A1","B"]}
  .csv                 with this header line (licence classes separated by |, e.g. A1|B):
      ${DOCUMENT_CSV_COLUMNS.join(',')}
  holderAccountId    the holder's account id (a uuid)
  type               ${Object.keys(ISSUER_OF).join(', ')}
  number             in the format of its type; trimmed and upper-cased; one document per type and number
  issuerAgencyCode   the agency that issues the type: ${Object.entries(ISSUER_OF).map(([type, agency]) => `${type} ${agency}`).join(', ')}
  issuedOn           YYYY-MM-DD, not in the future
  expiresOn          YYYY-MM-DD after issuedOn, or empty (never for TAX_CODE, SOCIAL_INSURANCE_BOOK)
  licenceClasses     DRIVING_LICENCE only, at least one of ${LICENCE_CLASSES.join(' ')}
  revoked            true when the issuer revoked it (then revocationReason is required); empty or false otherwise

Every row is checked; bad rows are rejected with their line number and reason, and the others are imported,
in batches of --batch rows (default 1000), each batch one transaction. For a number already in the wallet:
  - another holder's: the row is rejected (a number belongs to one person);
  - an issue date earlier than the wallet's: the row is rejected (the wallet holds a later issue);
  - the same facts: nothing is written;
  - a later issue date: a new issue of the number (it also ends a revocation of the earlier issue);
  - the same issue date with other facts: a correction (a revocation stands).
A revocation, once recorded, is never undone by a file. Running the same file again changes nothing.

Progress is printed every ${PROGRESS_EVERY.toLocaleString('en')} rows, then a summary: inserted, updated, unchanged, rejected.
Rejected rows go to stderr (the first 100) and, with --report FILE, all of them to FILE, one per line.

Options:
  --report FILE      write every rejected row as "line N: reason"
  --holder ID        put every row in this account's wallet, whatever its holderAccountId says. The sample files
                     scripts/data/sample-documents.{jsonl,csv} name the placeholder holder ${SAMPLE_HOLDER_PLACEHOLDER},
                     whose rows are rejected without --holder; npm start's seed imports them for the demo citizen
  --batch N          rows per transaction (default 1000)
  -h, --help         this text

Environment: DATABASE_URL (required); LOG_LEVEL.
Exit status: 0 every row imported or unchanged, 1 some rows rejected (the others were imported) or the import
failed, 2 wrong usage.`;

class UsageError extends Error {}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const say = (line: string) => console.log(`import-documents: ${line}`);

async function main(): Promise<number> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({ allowPositionals: true, options: { report: { type: 'string' }, holder: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  })();
  if (values.help) { console.log(HELP); return 0; }
  if (positionals.length !== 1) throw new UsageError('give one .jsonl or .csv file');
  if (values.holder !== undefined && !isUuid(values.holder)) throw new UsageError(`--holder takes an account id (a uuid), got "${values.holder}"`);
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && (!/^\d+$/.test(values.batch!) || batchSize < 1 || batchSize > 10_000)) throw new UsageError(`--batch takes a whole number from 1 to 10000, got "${values.batch}"`);
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is required');
  const level = LOG_LEVELS.find((l) => l === (process.env.LOG_LEVEL ?? 'warn'));
  if (!level) throw new UsageError(`LOG_LEVEL is one of ${LOG_LEVELS.join(', ')}`);

  // Read before the database is touched: an unreadable file costs no connection.
  const parsed = await readDocumentsFile(positionals[0]);
  say(`read ${(parsed.rows.length + parsed.rejected.length).toLocaleString('en')} rows from ${positionals[0]}${parsed.rejected.length ? ` (${parsed.rejected.length} unreadable)` : ''}`);

  const log = createLogger({ service: 'import-documents', level });
  const database = await openDocumentsDatabase(url, log);
  let rejected: RejectedRow[];
  try {
    let lastShown = 0;
    const result = await importIntegratedDocuments(database.dataSource, parsed, {
      batchSize,
      holderAccountId: values.holder,
      onProgress: (done, total) => {
        if (done === total || done - lastShown >= PROGRESS_EVERY) { lastShown = done; say(`${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows`); }
      },
    });
    rejected = result.rejected;
    say(`done: ${result.inserted} inserted, ${result.updated} updated, ${result.unchanged} unchanged, ${rejected.length} rejected (of ${result.total})`);
  } finally {
    await database.dataSource.destroy();
  }

  if (!rejected.length) return 0;
  const lines = rejected.map((r) => `line ${r.line}: ${r.reason}`);
  for (const line of lines.slice(0, 100)) console.error(`  ${line}`);
  if (lines.length > 100) console.error(`  … and ${lines.length - 100} more${values.report ? '' : ' (--report FILE writes them all)'}`);
  if (values.report) {
    await writeFile(values.report, lines.join('\n') + '\n');
    say(`rejected rows written to ${values.report}`);
  }
  return 1;
}

main().then((code) => { process.exitCode = code; }).catch((error) => {
  console.error(`import-documents: ${(error as Error).message}`);
  if (error instanceof UsageError) { console.error('(--help for usage)'); process.exit(2); }
  process.exit(1);
});
