import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Cache, connectRedis, createLogger } from '../subgraphs/shared/src';
import { openPaymentsDatabase } from '../subgraphs/payments/src/database/data-source';
import { generatePostalPoints } from '../subgraphs/payments/src/postal-points/postal-point.generator';
import { importPostalPoints, PostalPointImportError, POSTAL_POINT_CSV_COLUMNS, readPostalPointsFile, type PostalPointRow } from '../subgraphs/payments/src/postal-points/postal-point.import';
import { POSTAL_POINT_CACHE } from '../subgraphs/payments/src/postal-points/postal-point.loader';

const HELP = `Usage: DATABASE_URL=postgres://… npm run import:postal-points -- <file.csv> [--reopen]
       DATABASE_URL=postgres://… npm run import:postal-points -- --generate N [--reopen]

Upserts postal points (điểm phục vụ) into the payments schema by code. Runs in production: this is how
the network arrives there. Applies pending payments migrations first, as the service does when it starts.

The file: CSV, UTF-8 ("CSV UTF-8" in Excel; a BOM and CRLF line ends are fine), with this header line:
  ${POSTAL_POINT_CSV_COLUMNS.join(',')}
  code           <province_code>-<BC|VHX|DL>-<4 digits>, e.g. 001-BC-0001; BC = POST_OFFICE,
                 VHX = COMMUNE_CULTURAL_POST_OFFICE, DL = AGENT; unique in the file
  name           up to 200 characters          district   up to 100 characters
  kind           POST_OFFICE, COMMUNE_CULTURAL_POST_OFFICE or AGENT (must agree with the code)
  province_code  three digits, 001 to 096, one of the 63 provinces; the province name is filled in from it
  address        up to 300 characters; quote it: "Số 1 Đinh Lễ, Phường Tràng Tiền, Quận Hoàn Kiếm, Hà Nội"
  phone          0 and 9 or 10 more digits, spaces and dots allowed, e.g. 024 3825 5948
  is_open        true or false
A field holding a comma or a double quote is written in double quotes, inner quotes doubled.

Every row is checked before anything is written. If any row is bad, each problem is printed with its
line number (line 1 is the header), nothing is imported and the exit status is 1. The import is one
transaction: it lands whole or not at all.

What wins, for a code that is already in the database:
  - the file wins for name, kind, province, district, address and phone;
  - is_open=false closes the point;
  - is_open=true does NOT reopen a point that is closed in the database (an administrator may have
    closed it with setPostalPointOpen); pass --reopen to let the file's true reopen closed points;
  - points missing from the file are left as they are (dossiers and accounts refer to them).
Unchanged rows are not rewritten, so running the same file again changes nothing.

Options:
  --generate N   import the generated development network of N points instead of a file (the one
                 npm run seed uses; 13000 is the real network's size). Refused with NODE_ENV=production.
  --reopen       see above
  -h, --help     this text

Environment: DATABASE_URL (required); REDIS_URL and REDIS_KEY_PREFIX (optional; when set, changed points
are purged from the services' shared cache, otherwise they may be served stale for up to
${POSTAL_POINT_CACHE.ttlSeconds / 60} minutes); LOG_LEVEL.
Exit status: 0 imported, 1 refused or failed, 2 wrong usage.`;

class UsageError extends Error {}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const say = (line: string) => console.log(`import-postal-points: ${line}`);

async function main(): Promise<void> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({ allowPositionals: true, options: { generate: { type: 'string' }, reopen: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  })();
  if (values.help) { console.log(HELP); return; }
  if (positionals.length > 1 || (positionals.length === 1) === (values.generate !== undefined)) {
    throw new UsageError('give either one CSV file or --generate N');
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is required');

  let points: readonly PostalPointRow[];
  if (values.generate !== undefined) {
    if (process.env.NODE_ENV === 'production') throw new UsageError('--generate makes up a postal network: refused with NODE_ENV=production');
    const total = Number(values.generate);
    if (!/^\d+$/.test(values.generate) || !Number.isSafeInteger(total)) throw new UsageError(`--generate takes a whole number of points, got "${values.generate}"`);
    points = generatePostalPoints({ total });
    say(`generated ${total.toLocaleString('en')} development postal points`);
  } else {
    // Read and checked before the database is touched: a bad file costs no connection.
    points = await readPostalPointsFile(positionals[0]);
    say(`read ${points.length.toLocaleString('en')} postal points from ${positionals[0]}; every row is valid`);
  }

  const level = LOG_LEVELS.find((l) => l === (process.env.LOG_LEVEL ?? 'warn'));
  if (!level) throw new UsageError(`LOG_LEVEL is one of ${LOG_LEVELS.join(', ')}`);
  const log = createLogger({ service: 'import-postal-points', level });
  const database = await openPaymentsDatabase(url, log);
  // Without REDIS_URL there is no shared cache to purge (connectRedis would warn about limits, which this has none of).
  const redis = process.env.REDIS_URL ? await connectRedis(process.env.REDIS_URL, log, 'import-postal-points') : undefined;
  try {
    const cache = new Cache(redis, POSTAL_POINT_CACHE.family, { log, keyPrefix: process.env.REDIS_KEY_PREFIX ?? 'nig:', ttlSeconds: POSTAL_POINT_CACHE.ttlSeconds });
    let lastShown = 0;
    const result = await importPostalPoints(database.dataSource, points, {
      reopen: values.reopen ?? false,
      cache,
      onProgress: (done, total) => {
        if (done === total || done - lastShown >= 2000) { lastShown = done; say(`written ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`); }
      },
    });
    say(`committed: ${result.inserted} inserted, ${result.updated} updated, ${result.unchanged} unchanged (of ${result.total})`);
    if (result.updated > 0 && !redis) say(`REDIS_URL is not set: running services may serve the ${result.updated} updated point(s) stale for up to ${POSTAL_POINT_CACHE.ttlSeconds / 60} minutes`);
  } finally {
    await database.dataSource.destroy();
    redis?.disconnect();
  }
}

main().catch((error) => {
  if (error instanceof PostalPointImportError) {
    const shown = error.problems.slice(0, 100);
    console.error(`import-postal-points: ${error.problems.length} problem(s); nothing was imported`);
    for (const p of shown) console.error(`  ${error.where} ${p.line}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
    if (error.problems.length > shown.length) console.error(`  … and ${error.problems.length - shown.length} more`);
    process.exit(1);
  }
  console.error(`import-postal-points: ${(error as Error).message}`);
  if (error instanceof UsageError) { console.error('(--help for usage)'); process.exit(2); }
  process.exit(1);
});
