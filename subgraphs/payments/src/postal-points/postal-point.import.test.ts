import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../../../test/kit/stack';
import { Cache, createLogger, createRedis, waitForRedis, type Database } from '../../../shared/src';
import { openPaymentsDatabase } from '../database/data-source';
import { generatePostalPoints } from './postal-point.generator';
import { importPostalPoints, parsePostalPointsCsv, PostalPointImportError, readPostalPointsFile, type ImportProblem } from './postal-point.import';
import { POSTAL_POINT_CACHE } from './postal-point.loader';

const HEADER = 'code,name,kind,province_code,district,address,phone,is_open';
// Line numbers in the comments are the file's (line 1 is the header).
const GOOD_ROWS = [
  '001-BC-0001,Bưu cục trung tâm Hà Nội,POST_OFFICE,001,Quận Hoàn Kiếm,"Số 75 Đinh Tiên Hoàng, Phường Tràng Tiền, Quận Hoàn Kiếm, Hà Nội",024 3825 5948,true', // 2
  '079-DL-0001,"Đại lý bưu điện ""Bến Thành""",AGENT,079,Quận 1,"Số 2 Lê Lợi, Phường Bến Thành, Quận 1, Hồ Chí Minh",028 3823 1234,true', // 3
  '034-VHX-0002,Điểm BĐ-VHX Xã Tân An,COMMUNE_CULTURAL_POST_OFFICE,034,Huyện Vũ Thư,"Thôn 3, Xã Tân An, Huyện Vũ Thư, Thái Bình",0227.3861.222,false', // 4
];
const csv = (rows: string[], eol = '\n') => [HEADER, ...rows].join(eol) + eol;

const log = createLogger({ service: 'test', level: 'silent' });
const keyPrefix = `test:import:${randomBytes(4).toString('hex')}:`;
let database: Database | undefined;
let redis: Redis | undefined;
let cache: Cache<unknown>;
let dir: string;

const sql = <T = any>(query: string, parameters: unknown[] = []): Promise<T[]> => database!.dataSource.query(query, parameters);
const count = async () => (await sql(`SELECT count(*)::int AS n FROM payments.postal_points`))[0].n as number;
const isOpen = async (code: string) => (await sql(`SELECT is_open FROM payments.postal_points WHERE code = $1`, [code]))[0]?.is_open as boolean | undefined;

async function fileWith(text: string): Promise<string> {
  const file = path.join(dir, `${randomBytes(4).toString('hex')}.csv`);
  await writeFile(file, text);
  return file;
}

/** The problems a file is refused with. */
async function problemsOf(text: string): Promise<ImportProblem[]> {
  const error = await readPostalPointsFile(await fileWith(text)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PostalPointImportError);
  return (error as PostalPointImportError).problems;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'postal-points-'));
  database = await openPaymentsDatabase(await createTestDatabase(), log);
  redis = createRedis(inject('redisUrl'), log, 'import-test');
  if (!(await waitForRedis(redis))) throw new Error('the test Redis is not reachable');
  cache = new Cache(redis, POSTAL_POINT_CACHE.family, { log, keyPrefix, ttlSeconds: POSTAL_POINT_CACHE.ttlSeconds });
});

afterAll(async () => {
  await database?.dataSource.destroy();
  if (redis) {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('reading a postal points file', () => {
  it('reads quoted fields with commas and doubled quotes, an Excel BOM and CRLF line ends', () => {
    const points = parsePostalPointsCsv('\uFEFF' + csv(GOOD_ROWS, '\r\n') + '\r\n');
    expect(points).toHaveLength(3);
    expect(points[0]).toEqual({
      code: '001-BC-0001', name: 'Bưu cục trung tâm Hà Nội', kind: 'POST_OFFICE', provinceCode: '001', district: 'Quận Hoàn Kiếm',
      address: 'Số 75 Đinh Tiên Hoàng, Phường Tràng Tiền, Quận Hoàn Kiếm, Hà Nội', phone: '024 3825 5948', isOpen: true,
    });
    expect(points[1].name).toBe('Đại lý bưu điện "Bến Thành"');
    expect(points[2]).toMatchObject({ kind: 'COMMUNE_CULTURAL_POST_OFFICE', isOpen: false });
  });

  it('names the line and column of every bad row at once', async () => {
    const problems = await problemsOf(csv([
      GOOD_ROWS[0], // 2
      '001-BC-0002,Bưu cục Ba Đình,POST_OFFICE,001,Quận Ba Đình,Số 1 Phố Ba Đình,024 3825 0000,yes', // 3
      '099-XX-1,,KIOSK,099,Quận 1,"Số 1, Phường 2",12345,true', // 4
      '002-BC-0001,Bưu cục Hà Giang,AGENT,001,Thành phố Hà Giang,Số 1 Nguyễn Trãi,0219 386 1234,true', // 5
      GOOD_ROWS[0], // 6
      '001-BC-0003,Bưu cục Đống Đa,POST_OFFICE,001,Quận Đống Đa,Số 1, Đống Đa,024 3825 0001,true', // 7
    ]));
    expect(problems).toEqual([
      { line: 3, field: 'is_open', message: '"yes" is not true or false' },
      { line: 4, field: 'code', message: '"099-XX-1" is not <province code>-<BC|VHX|DL>-<4 digits>, e.g. 001-BC-0001' },
      { line: 4, field: 'kind', message: '"KIOSK" is not one of POST_OFFICE, COMMUNE_CULTURAL_POST_OFFICE, AGENT' },
      { line: 4, field: 'province_code', message: '"099" is not a province code (three digits, 001 to 096)' },
      { line: 4, field: 'name', message: 'is empty' },
      { line: 4, field: 'phone', message: '"12345" is not a phone number: 0 and 9 or 10 more digits (spaces and dots allowed)' },
      { line: 5, field: 'code', message: 'starts with province 002 but province_code is 001' },
      { line: 5, field: 'code', message: 'says BC but kind AGENT is DL' },
      { line: 6, field: 'code', message: '001-BC-0001 is already on line 2' },
      { line: 7, message: '9 fields where 8 are expected (a field with a comma must be in double quotes)' },
    ]);
  });

  it('counts lines inside a quoted field that spans lines, and reports broken quoting', async () => {
    const twoLineAddress = '001-BC-0004,Bưu cục Tây Hồ,POST_OFFICE,001,Quận Tây Hồ,"Số 1 Âu Cơ,\nQuận Tây Hồ, Hà Nội",024 3825 0002,true'; // 2–3
    expect(parsePostalPointsCsv(csv([twoLineAddress]))[0].address).toBe('Số 1 Âu Cơ,\nQuận Tây Hồ, Hà Nội');
    expect(await problemsOf(csv([twoLineAddress, '001-BC-0005,Bưu cục "Cầu Giấy,POST_OFFICE,001,Quận Cầu Giấy,Số 1,024 3825 0003,true']))).toEqual([
      { line: 4, message: 'a double quote inside a field: put the whole field in double quotes and double the quotes inside it' },
    ]);
    expect(await problemsOf(csv(['001-BC-0006,"Bưu cục Hoàng Mai,POST_OFFICE,001,Quận Hoàng Mai,Số 1,024 3825 0004,true']))).toEqual([
      { line: 2, message: 'a quoted field is never closed' },
    ]);
  });

  it('refuses a file without the header, an empty one, one with only the header, and one that is not UTF-8', async () => {
    expect(await problemsOf(GOOD_ROWS.join('\n'))).toEqual([{ line: 1, message: expect.stringMatching(/^the header must be exactly code,name,kind,province_code,district,address,phone,is_open, found 001-BC-0001,/) }]);
    expect(await problemsOf('')).toEqual([{ line: 1, message: `the file is empty; its first line must be the header ${HEADER}` }]);
    expect(await problemsOf(`${HEADER}\n\n`)).toEqual([{ line: 2, message: 'no postal points after the header' }]);
    expect(await problemsOf(Buffer.from(`${HEADER}\n001-BC-0001,B\xFBu c\xE1c,POST_OFFICE,001,Q,S,024 3825 5948,true\n`, 'latin1') as never)).toEqual([
      { line: 1, message: 'the file is not UTF-8; save it as "CSV UTF-8"' },
    ]);
  });
});

describe('importing postal points', () => {
  it('imports a good file, filling in the province name from the code', async () => {
    const result = await importPostalPoints(database!.dataSource, await readPostalPointsFile(await fileWith(csv(GOOD_ROWS))));
    expect(result).toEqual({ total: 3, inserted: 3, updated: 0, unchanged: 0 });
    expect(await sql(`SELECT code, province_name, is_open FROM payments.postal_points ORDER BY code`)).toEqual([
      { code: '001-BC-0001', province_name: 'Hà Nội', is_open: true },
      { code: '034-VHX-0002', province_name: 'Thái Bình', is_open: false },
      { code: '079-DL-0001', province_name: 'Hồ Chí Minh', is_open: true },
    ]);
    // search_text is generated by the database, so imported points are found like any other.
    expect(await sql(`SELECT code FROM payments.postal_points WHERE search_text LIKE '%ben thanh%'`)).toEqual([{ code: '079-DL-0001' }]);
  });

  it('imports nothing from a file with one bad row, not even its good rows', async () => {
    const before = await count();
    const file = await fileWith(csv(['001-BC-0100,Bưu cục Mới,POST_OFFICE,001,Quận Ba Đình,Số 9 Phố Mới,024 3825 0100,true', '001-BC-0101,Bưu cục Sai,POST_OFFICE,001,Quận Ba Đình,Số 9 Phố Mới,không có,true']));
    await expect(readPostalPointsFile(file)).rejects.toThrow(/line 3: phone: "không có" is not a phone number/);
    // The same holds for a list that comes from no file: it is checked whole before anything is written.
    const points = parsePostalPointsCsv(csv(GOOD_ROWS));
    await expect(importPostalPoints(database!.dataSource, [...points, { ...points[0], code: '001-BC-0102', kind: 'KIOSK' as never }])).rejects.toThrow(/point 4: kind: "KIOSK"/);
    expect(await count()).toBe(before);
  });

  it('changes nothing when the same file is imported again', async () => {
    const points = parsePostalPointsCsv(csv(GOOD_ROWS));
    const stamps = await sql(`SELECT code, updated_at FROM payments.postal_points ORDER BY code`);
    expect(await importPostalPoints(database!.dataSource, points)).toEqual({ total: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(await sql(`SELECT code, updated_at FROM payments.postal_points ORDER BY code`)).toEqual(stamps);
  });

  it('keeps a point an administrator closed closed unless asked to reopen it, and lets the file close one', async () => {
    const points = parsePostalPointsCsv(csv(GOOD_ROWS));
    await sql(`UPDATE payments.postal_points SET is_open = false WHERE code = '001-BC-0001'`);
    expect(await importPostalPoints(database!.dataSource, points)).toMatchObject({ updated: 0, unchanged: 3 });
    expect(await isOpen('001-BC-0001')).toBe(false);

    expect(await importPostalPoints(database!.dataSource, points, { reopen: true })).toMatchObject({ updated: 1 });
    expect(await isOpen('001-BC-0001')).toBe(true);
    // 034-VHX-0002 is false in the file: reopen follows the file, it does not open everything.
    expect(await isOpen('034-VHX-0002')).toBe(false);

    expect(await importPostalPoints(database!.dataSource, points.map((p) => (p.code === '079-DL-0001' ? { ...p, isOpen: false } : p)))).toMatchObject({ updated: 1 });
    expect(await isOpen('079-DL-0001')).toBe(false);
    await sql(`UPDATE payments.postal_points SET is_open = true WHERE code = '079-DL-0001'`);
  });

  it('lets the file win for the other columns and purges the changed points from the cache', async () => {
    const points = parsePostalPointsCsv(csv(GOOD_ROWS));
    const key = `${keyPrefix}${POSTAL_POINT_CACHE.family}:001-BC-0001`;
    await redis!.set(key, '{"stale":true}');
    const renamed = points.map((p) => (p.code === '001-BC-0001' ? { ...p, name: 'Bưu điện Trung tâm Hà Nội', phone: '024 3825 5949' } : p));
    expect(await importPostalPoints(database!.dataSource, renamed, { cache })).toEqual({ total: 3, inserted: 0, updated: 1, unchanged: 2 });
    expect(await sql(`SELECT name, phone FROM payments.postal_points WHERE code = '001-BC-0001'`)).toEqual([{ name: 'Bưu điện Trung tâm Hà Nội', phone: '024 3825 5949' }]);
    // Purged: whatever the key holds now (nothing, or the cache's purge marker), it is not the old value.
    expect(await redis!.get(key)).not.toBe('{"stale":true}');
    expect(await cache.getMany(['001-BC-0001'], async () => new Map())).toEqual([undefined]);
  });

  it('imports the generated development network in batches, reporting progress', async () => {
    const progress: number[] = [];
    const generated = generatePostalPoints({ total: 250 });
    const result = await importPostalPoints(database!.dataSource, generated, { batchSize: 100, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([100, 200, 250]);
    // Codes the file above already brought in are updated to the generated values, not duplicated.
    expect(result.inserted + result.updated + result.unchanged).toBe(250);
    expect(await sql(`SELECT count(*)::int AS n FROM payments.postal_points WHERE code = ANY($1)`, [generated.map((p) => p.code)])).toEqual([{ n: 250 }]);
  });
});
