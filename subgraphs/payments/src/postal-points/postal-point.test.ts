import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gql, gqlError, post } from '../../../../test/kit/gql';
import { subgraphTestEnv } from '../../../../test/kit/stack';
import { startTestTokenAuthority, type TestTokenAuthority } from '../../../../test/kit/tokens';
import { Role } from '../../../shared/src';
import { loadPaymentsConfig } from '../config';
import { startPayments, type RunningPayments } from '../index';
import { generatePostalPoints } from './postal-point.generator';
import { importPostalPoints } from './postal-point.import';

// Payments alone: a fresh database on the run's PostgreSQL, the run's Redis under a key prefix of its own (so the
// cache is real), and a test token authority standing in for identity's JWKS, so tokens are verified as in production.
const POINTS = 500;
const generated = generatePostalPoints({ total: POINTS });
const keyPrefix = `test:payments:${randomBytes(4).toString('hex')}:`;

let authority: TestTokenAuthority | undefined;
let payments: RunningPayments | undefined;
let redis: Redis | undefined;
let url: string;

const tokenFor = (role: Role) => authority!.tokenFor({ role });
// `_entities` answers only the gateway: those calls are signed as the gateway signs them.
const data = <T = any>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
  gql<T>(url, query, variables, token, query.includes('_entities') ? { asGatewayTo: 'payments' } : {});
const errorCode = async (query: string, variables: Record<string, unknown> = {}, token?: string) => (await gqlError(url, query, variables, token)).extensions?.code;
const cacheKey = (code: string) => `${keyPrefix}payments:postal-point:v1:${code}`;

/** Empties this file's cache keys, so a statement count measures batching, not what earlier tests cached. */
async function flushCache(): Promise<void> {
  const keys = await redis!.keys(`${keyPrefix}*`);
  if (keys.length) await redis!.del(...keys);
}

/** What "case and diacritics ignored" means, written independently of the database's unaccent. */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

beforeAll(async () => {
  authority = await startTestTokenAuthority();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  payments = await startPayments(loadPaymentsConfig({ ...(await subgraphTestEnv(keyPrefix, authority)), PAYMENTS_PORT: '0' }));
  url = `${payments.url}/graphql`;
  await importPostalPoints(payments.database.dataSource, generated);
});

afterAll(async () => {
  await payments?.stop();
  if (redis) {
    await flushCache();
    redis.disconnect();
  }
  await authority?.stop();
});

const POINT_FIELDS = 'code name kind provinceCode provinceName district address phone isOpen updatedAt';
const PAGE = `query Page($first: Int, $after: String, $provinceCode: String, $search: String) {
  postalPoints(first: $first, after: $after, provinceCode: $provinceCode, search: $search) {
    edges { cursor node { code provinceCode name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** Every code of a filtered list, page by page, checking the page links on the way. */
async function allCodes(filter: { provinceCode?: string; search?: string }, first: number): Promise<string[]> {
  const codes: string[] = [];
  let after: string | null = null;
  for (let pageNo = 0; pageNo < 1000; pageNo++) {
    const { postalPoints: page }: any = await data(PAGE, { ...filter, first, after });
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(page.edges.length).toBeLessThanOrEqual(first);
    codes.push(...page.edges.map((e: any) => e.node.code));
    if (!page.pageInfo.hasNextPage) return codes;
    expect(page.edges).toHaveLength(first);
    after = page.pageInfo.endCursor;
  }
  throw new Error('pagination never ended');
}

describe('postal points', () => {
  it('finds a point by code with all its public fields, anonymously', async () => {
    const { postalPoint } = await data(`query($code: String!) { postalPoint(code: $code) { ${POINT_FIELDS} } }`, { code: '001-BC-0001' });
    const expected = generated.find((p) => p.code === '001-BC-0001')!;
    expect(postalPoint).toMatchObject({ ...expected, name: 'Bưu cục trung tâm Hà Nội', kind: 'POST_OFFICE', isOpen: true });
    expect(Date.parse(postalPoint.updatedAt)).not.toBeNaN();
  });

  it('answers null for an unknown code', async () => {
    expect(await data('{ postalPoint(code: "999-BC-9999") { code } }')).toEqual({ postalPoint: null });
  });

  it('pages through every point in code order, without duplicates or gaps', async () => {
    const codes = await allCodes({}, 70);
    expect(codes).toEqual(generated.map((p) => p.code));
    const first = await data(PAGE, {});
    expect(first.postalPoints.edges).toHaveLength(20);
    expect(first.postalPoints.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('filters by province', async () => {
    const codes = await allCodes({ provinceCode: '079' }, 7);
    expect(codes.length).toBeGreaterThan(7);
    expect(codes).toEqual(generated.filter((p) => p.provinceCode === '079').map((p) => p.code));
    expect(await allCodes({ provinceCode: '999' }, 10)).toEqual([]);
  });

  it('searches name, district and address ignoring case and diacritics', async () => {
    const hanoi = generated.filter((p) => fold(`${p.name} ${p.district} ${p.address}`).includes('ha noi')).map((p) => p.code);
    expect(hanoi.length).toBeGreaterThan(5);
    expect(hanoi).toContain('001-BC-0001');
    expect(await allCodes({ search: 'ha noi' }, 100)).toEqual(hanoi);
    expect(await allCodes({ search: '  HÀ   NỘI ' }, 100)).toEqual(hanoi);
    // đ folds to d: "Đà Nẵng" is found as "da nang".
    expect(await allCodes({ search: 'da nang', provinceCode: '048' }, 100)).toContain('048-BC-0001');
    // LIKE wildcards in the input are literal text, not patterns.
    expect(await allCodes({ search: '%' }, 100)).toEqual([]);
    expect(await allCodes({ search: '_' }, 100)).toEqual([]);
  });

  it.each([
    ['first: 0', { first: 0 }],
    ['first: 101', { first: 101 }],
    ['a province code that is not three digits', { provinceCode: 'HN' }],
    ['a cursor this list did not give out', { after: 'not-a-cursor' }],
    ['a search longer than 100 characters', { search: 'x'.repeat(101) }],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables) => {
    expect(await errorCode(PAGE, variables)).toBe('BAD_USER_INPUT');
  });

  it('resolves references from other subgraphs by code, in one batch', async () => {
    await flushCache();
    const before = payments!.database.queries.count;
    const { _entities } = await data(`query($r: [_Any!]!) { _entities(representations: $r) { ... on PostalPoint { code isOpen } } }`, {
      r: [{ __typename: 'PostalPoint', code: '001-BC-0001' }, { __typename: 'PostalPoint', code: '079-BC-0001' }, { __typename: 'PostalPoint', code: '999-DL-0001' }],
    });
    expect(_entities).toEqual([{ code: '001-BC-0001', isOpen: true }, { code: '079-BC-0001', isOpen: true }, null]);
    expect(payments!.database.queries.count - before).toBe(1);
  });
});

describe('opening and closing a postal point', () => {
  const SET_OPEN = `mutation($code: String!, $isOpen: Boolean!) { setPostalPointOpen(code: $code, isOpen: $isOpen) { code isOpen } }`;
  const code = generated.find((p) => p.kind === 'AGENT' && p.isOpen)!.code;

  it('needs a token', async () => {
    expect(await errorCode(SET_OPEN, { code, isOpen: false })).toBe('UNAUTHENTICATED');
  });

  it.each([Role.CITIZEN, Role.POSTAL_CLERK, Role.FINANCE])('is refused to %s', async (role) => {
    expect(await errorCode(SET_OPEN, { code, isOpen: false }, await tokenFor(role))).toBe('FORBIDDEN');
  });

  it('lets an administrator close and reopen a point, purging its cache entry each time', async () => {
    const admin = await tokenFor(Role.ADMINISTRATOR);
    const read = `{ postalPoint(code: "${code}") { isOpen } }`;
    const cached = async () => { const raw = await redis!.get(cacheKey(code)); return raw?.startsWith('{') ? JSON.parse(raw) : null; };
    // A read puts the point in Redis; each change must take it out again, or other replicas would serve it stale.
    expect(await data(read)).toEqual({ postalPoint: { isOpen: true } });
    expect(await cached()).toMatchObject({ code, isOpen: true });
    expect(await data(SET_OPEN, { code, isOpen: false }, admin)).toEqual({ setPostalPointOpen: { code, isOpen: false } });
    expect(await cached()).toBeNull();
    expect(await data(read)).toEqual({ postalPoint: { isOpen: false } });
    // For a short guard after a purge no reader refills the key (a slower one might hold the old value).
    expect(await cached()).toBeNull();
    expect(await redis!.ttl(cacheKey(code))).toBeGreaterThan(0);
    expect(await data(SET_OPEN, { code, isOpen: true }, admin)).toEqual({ setPostalPointOpen: { code, isOpen: true } });
    expect(await data(read)).toEqual({ postalPoint: { isOpen: true } });
  });

  it('answers NOT_FOUND for an unknown code', async () => {
    expect(await errorCode(SET_OPEN, { code: '999-BC-9999', isOpen: true }, await tokenFor(Role.ADMINISTRATOR))).toBe('NOT_FOUND');
  });
});

describe('fees', () => {
  const SCHEDULES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on PublicService { code feeSchedule { total items { name amount } } } } }`;
  const DUE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Dossier { id amountDue } } }`;

  it('gives a public service its fee schedule, money as decimal strings', async () => {
    const { _entities } = await data(SCHEDULES, { r: [{ __typename: 'PublicService', code: 'GPLX_EXCHANGE' }] });
    expect(_entities).toEqual([{ code: 'GPLX_EXCHANGE', feeSchedule: { total: '135000', items: [{ name: 'Lệ phí cấp đổi giấy phép lái xe', amount: '135000' }] } }]);
  });

  it('gives a free service the empty schedule it was published with, total "0", and its dates', async () => {
    const { _entities } = await data(`query($r: [_Any!]!) { _entities(representations: $r) { ... on PublicService { feeSchedule { total items { name } effectiveFrom effectiveTo } } } }`,
      { r: [{ __typename: 'PublicService', code: 'PROMOTION_NOTICE' }] });
    expect(_entities).toEqual([{ feeSchedule: { total: '0', items: [], effectiveFrom: '2024-01-01', effectiveTo: null } }]);
  });

  it('never calls a service without a schedule free: its fee schedule and amount due are null with FEE_SCHEDULE_MISSING', async () => {
    const result = await post(url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on PublicService { code feeSchedule { total } } ... on Dossier { id amountDue } } }`, {
      r: [{ __typename: 'PublicService', code: 'NO_SUCH_SERVICE' }, { __typename: 'PublicService', code: 'GPLX_EXCHANGE' }, { __typename: 'Dossier', id: 'z', serviceCode: 'NO_SUCH_SERVICE' }],
    }, await tokenFor(Role.CITIZEN), { asGatewayTo: 'payments' });
    // Only the fields that cannot be priced are null; the rest of the answer stands.
    expect(result.data?._entities).toEqual([{ code: 'NO_SUCH_SERVICE', feeSchedule: null }, { code: 'GPLX_EXCHANGE', feeSchedule: { total: '135000' } }, { id: 'z', amountDue: null }]);
    const extensions = { code: 'SERVICE_UNAVAILABLE', reason: 'FEE_SCHEDULE_MISSING', serviceCode: 'NO_SUCH_SERVICE' };
    expect(result.errors).toEqual([
      expect.objectContaining({ path: ['_entities', 0, 'feeSchedule'], extensions: expect.objectContaining(extensions) }),
      expect.objectContaining({ path: ['_entities', 2, 'amountDue'], extensions: expect.objectContaining(extensions) }),
    ]);
  });

  it('loads the schedules of many services and dossiers with one statement', async () => {
    await flushCache();
    const before = payments!.database.queries.count;
    const codes = ['CCCD_ISSUE', 'CCCD_RENEWAL', 'CCCD_REISSUE', 'RESIDENCE_REGISTRATION', 'BHYT_CARD_REISSUE'];
    const { _entities } = await data(`query($r: [_Any!]!) { _entities(representations: $r) {
      ... on PublicService { feeSchedule { total } } ... on Dossier { amountDue } } }`, {
      r: [...codes.map((code) => ({ __typename: 'PublicService', code })), { __typename: 'Dossier', id: 'd1', serviceCode: 'CCCD_RENEWAL' }],
    }, await tokenFor(Role.CITIZEN));
    expect(_entities).toEqual([...['0', '50000', '70000', '20000', '0'].map((total) => ({ feeSchedule: { total } })), { amountDue: '50000' }]);
    expect(payments!.database.queries.count - before).toBe(1);
  });

  it('tells what a dossier owes from the schedule of its service', async () => {
    // Dossiers are entered only by logged-in callers, as every dossier query demands.
    const { _entities } = await data(DUE, { r: [{ __typename: 'Dossier', id: 'x', serviceCode: 'CCCD_REISSUE' }, { __typename: 'Dossier', id: 'y', serviceCode: 'ELECTRICITY_BILL_PAYMENT' }] }, await tokenFor(Role.CITIZEN));
    expect(_entities).toEqual([{ id: 'x', amountDue: '70000' }, { id: 'y', amountDue: '0' }]);
  });
});

describe('importing the generated network again', () => {
  it('changes nothing and keeps a point an administrator closed closed', async () => {
    const db = payments!.database.dataSource;
    const closedCodes = async () => (await db.query(`SELECT code FROM payments.postal_points WHERE NOT is_open ORDER BY code`)).map((r: { code: string }) => r.code);
    await db.query(`UPDATE payments.postal_points SET is_open = false WHERE code = '001-BC-0001'`);
    const closedBefore = await closedCodes();
    expect(closedBefore).toContain('001-BC-0001');
    const progress: number[] = [];
    expect(await importPostalPoints(db, generated, { onProgress: (done) => progress.push(done) })).toEqual({ total: POINTS, inserted: 0, updated: 0, unchanged: POINTS });
    expect(progress.at(-1)).toBe(POINTS);
    const [{ points }] = await db.query(`SELECT count(*)::int AS points FROM payments.postal_points`);
    expect(points).toBe(POINTS);
    expect(await closedCodes()).toEqual(closedBefore);
    await db.query(`UPDATE payments.postal_points SET is_open = true WHERE code = '001-BC-0001'`);
  });
});
