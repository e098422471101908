import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gql, gqlError } from '../../../../test/kit/gql';
import { subgraphTestEnv } from '../../../../test/kit/stack';
import { startTestTokenAuthority, type TestTokenAuthority, type TestTokenClaims } from '../../../../test/kit/tokens';
import { Role } from '../../../shared/src';
import { loadDocumentsConfig } from '../config';
import { startDocuments, type RunningDocuments } from '../index';
import { CATALOGUE } from '../public-services/catalogue';
import { PASSPORT_ISSUE } from '../public-services/service-groups';
import { newRegistrationCode } from './registration-code';

// Documents alone: a fresh database, the run's Redis under a prefix of its own, and a test token authority in place
// of identity, so any role can call it and every token is verified as in production.
const keyPrefix = `test:documents:${randomBytes(4).toString('hex')}:`;

let authority: TestTokenAuthority | undefined;
let documents: RunningDocuments | undefined;
let redis: Redis | undefined;
let url: string;

const tokenFor = (claims: TestTokenClaims) => authority!.tokenFor(claims);
const citizen = (accountId: string) => tokenFor({ role: Role.CITIZEN, accountId });
const sql = <T = any>(query: string, parameters: unknown[] = []): Promise<T[]> => documents!.database.dataSource.query(query, parameters);

/** A calendar day `days` from today in Vietnam (UTC+7, no daylight saving), computed independently of the service. */
const dayInVietnam = (days: number) => new Date(Date.now() + 7 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

const DOSSIER_FIELDS = 'id registrationCode serviceCode status channel deliveryMethod appointmentDate service { code agencyCode }';
const SUBMIT = `mutation($input: SubmitDossierInput!) { submitDossier(input: $input) { ${DOSSIER_FIELDS} } }`;
const BY_ID = `query($id: ID!) { dossier(id: $id) { id registrationCode } }`;
const BY_CODE = `query($code: String!) { dossierByCode(registrationCode: $code) { id registrationCode } }`;
const ACCOUNT_DOSSIERS = `query($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) { ... on Account {
  dossiers(first: $first, after: $after) { edges { node { id } cursor } pageInfo { hasNextPage endCursor } } } } }`;
const SERVICES = `query($search: String, $first: Int, $after: String) { publicServices(search: $search, first: $first, after: $after) {
  edges { node { code name agencyCode isActive } cursor } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

const anInput = (overrides: Record<string, unknown> = {}) => ({ serviceCode: 'CCCD_RENEWAL', acceptDeclaration: true, ...overrides });
/** The service's appointment window as the catalogue publishes it. */
const windowOf = async (code = 'CCCD_RENEWAL') =>
  (await gql(url, `query($code: String!) { publicService(code: $code) { appointmentWindow { earliest latest } } }`, { code })).publicService.appointmentWindow as { earliest: string; latest: string };

async function submit(applicantId: string, overrides: Record<string, unknown> = {}) {
  const { submitDossier } = await gql(url, SUBMIT, { input: anInput(overrides) }, await citizen(applicantId));
  return submitDossier as { id: string; registrationCode: string; serviceCode: string; status: string };
}

beforeAll(async () => {
  authority = await startTestTokenAuthority();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  documents = await startDocuments(loadDocumentsConfig({ ...(await subgraphTestEnv(keyPrefix, authority)), DOCUMENTS_PORT: '0' }));
  url = `${documents.url}/graphql`;
});

afterAll(async () => {
  await documents?.stop();
  if (redis) {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await authority?.stop();
});

describe('who sees a dossier', () => {
  const applicantId = randomUUID();
  /** Submitted online for CCCD_RENEWAL (agency C06): no postal point received it. */
  let online: { id: string; registrationCode: string };
  /** Taken in at postal point 001-BC-0001 for GPLX_EXCHANGE (agency CDB). */
  let atCounter: { id: string; registrationCode: string };

  beforeAll(async () => {
    online = await submit(applicantId, { serviceCode: 'CCCD_RENEWAL' });
    const registrationCode = newRegistrationCode();
    const [row] = await sql(
      `INSERT INTO documents.dossiers (registration_code, service_code, applicant_account_id, status, channel, appointment_date, delivery_method, received_postal_point_code, received_at)
       VALUES ($1, 'GPLX_EXCHANGE', $2, 'RECEIVED', 'POSTAL_POINT', $3, 'PICKUP', '001-BC-0001', now()) RETURNING id`,
      [registrationCode, applicantId, dayInVietnam(7)]);
    atCounter = { id: row.id, registrationCode };
  });

  const matrix: [string, () => TestTokenClaims, 'online' | 'atCounter', boolean][] = [
    ['the applicant citizen', () => ({ role: Role.CITIZEN, accountId: applicantId }), 'online', true],
    ['another citizen', () => ({ role: Role.CITIZEN }), 'online', false],
    ['an official of C06, the agency of CCCD_RENEWAL', () => ({ role: Role.OFFICIAL, agencyCode: 'C06' }), 'online', true],
    ['an official of CDB, another agency', () => ({ role: Role.OFFICIAL, agencyCode: 'CDB' }), 'online', false],
    ['an official without an agency', () => ({ role: Role.OFFICIAL }), 'online', false],
    ['a postal clerk (an online dossier has no receiving point)', () => ({ role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' }), 'online', false],
    ['an administrator', () => ({ role: Role.ADMINISTRATOR }), 'online', true],
    ['finance', () => ({ role: Role.FINANCE }), 'online', false],
    ['a partner bank', () => ({ role: Role.PARTNER_BANK }), 'online', false],
    ['the applicant citizen, of a dossier taken in at a postal point', () => ({ role: Role.CITIZEN, accountId: applicantId }), 'atCounter', true],
    ['a clerk of the receiving postal point', () => ({ role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' }), 'atCounter', true],
    ['a clerk of another postal point', () => ({ role: Role.POSTAL_CLERK, postalPointCode: '079-BC-0001' }), 'atCounter', false],
    ['an official of CDB, the agency of GPLX_EXCHANGE', () => ({ role: Role.OFFICIAL, agencyCode: 'CDB' }), 'atCounter', true],
    ['an official of C06, for GPLX_EXCHANGE', () => ({ role: Role.OFFICIAL, agencyCode: 'C06' }), 'atCounter', false],
  ];

  it.each(matrix)('%s: by id and by code', async (_who, claims, which, visible) => {
    const dossier = which === 'online' ? online : atCounter;
    const token = await tokenFor(claims());
    const expected = visible ? { id: dossier.id, registrationCode: dossier.registrationCode } : null;
    expect((await gql(url, BY_ID, { id: dossier.id }, token)).dossier).toEqual(expected);
    expect((await gql(url, BY_CODE, { code: dossier.registrationCode }, token)).dossierByCode).toEqual(expected);
  });

  it('finds a dossier by its code typed in lower case with spaces around', async () => {
    const { dossierByCode } = await gql(url, BY_CODE, { code: ` ${online.registrationCode.toLowerCase()} ` }, await citizen(applicantId));
    expect(dossierByCode).toEqual({ id: online.id, registrationCode: online.registrationCode });
  });

  it('answers null, not an error, for a dossier that does not exist or an id that is not one', async () => {
    const admin = await tokenFor({ role: Role.ADMINISTRATOR });
    expect((await gql(url, BY_ID, { id: randomUUID() }, admin)).dossier).toBeNull();
    expect((await gql(url, BY_ID, { id: 'not-a-uuid' }, admin)).dossier).toBeNull();
    expect((await gql(url, BY_CODE, { code: 'HS-000000-00000000' }, admin)).dossierByCode).toBeNull();
  });

  it('asks an anonymous caller to log in', async () => {
    expect((await gqlError(url, BY_ID, { id: online.id })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gqlError(url, BY_CODE, { code: online.registrationCode })).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('submitDossier', () => {
  const countDossiers = async () => (await sql(`SELECT count(*)::int AS n FROM documents.dossiers`))[0].n as number;

  it('asks an anonymous caller to log in', async () => {
    expect((await gqlError(url, SUBMIT, { input: anInput() })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([Role.OFFICIAL, Role.POSTAL_CLERK, Role.ADMINISTRATOR, Role.FINANCE, Role.PARTNER_BANK])('is refused to %s', async (role) => {
    const before = await countDossiers();
    expect((await gqlError(url, SUBMIT, { input: anInput() }, await tokenFor({ role, agencyCode: 'C06', postalPointCode: '001-BC-0001' }))).extensions?.code).toBe('FORBIDDEN');
    expect(await countDossiers()).toBe(before);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['postal delivery without an address', { deliveryMethod: 'POSTAL_DELIVERY' }, 'deliveryAddress'],
    ['postal delivery with a blank address', { deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: '   ' }, 'deliveryAddress'],
    ['an appointment more than 60 days after the earliest', { appointmentDate: dayInVietnam(80) }, 'appointmentDate'],
    ['an appointment in the past', { appointmentDate: dayInVietnam(-1) }, 'appointmentDate'],
    ['an appointment before the processing time has passed', { appointmentDate: dayInVietnam(1) }, 'appointmentDate'],
    ['no declaration', { acceptDeclaration: false }, 'acceptDeclaration'],
    ['a service that is not in the catalogue', { serviceCode: 'NO_SUCH_SERVICE' }, 'serviceCode'],
  ])('refuses %s with BAD_USER_INPUT naming the field, and stores nothing', async (_case, overrides, field) => {
    const before = await countDossiers();
    const error = await gqlError(url, SUBMIT, { input: anInput(overrides) }, await citizen(randomUUID()));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect((error.extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual([field]);
    expect(await countDossiers()).toBe(before);
  });

  it('submits for the calling citizen and records exactly one event, from nothing to SUBMITTED, by them', async () => {
    const applicantId = randomUUID();
    const { latest } = await windowOf();
    const { submitDossier } = await gql(url, SUBMIT, { input: anInput({ appointmentDate: latest }) }, await citizen(applicantId));
    expect(submitDossier).toMatchObject({
      serviceCode: 'CCCD_RENEWAL', status: 'SUBMITTED', channel: 'ONLINE', deliveryMethod: 'PICKUP',
      appointmentDate: latest, service: { code: 'CCCD_RENEWAL', agencyCode: 'C06' },
    });
    expect(submitDossier.registrationCode).toMatch(/^HS-\d{6}-[0-9A-HJKMNP-TV-Z]{8}$/);
    const [stored] = await sql(`SELECT applicant_account_id, received_postal_point_code FROM documents.dossiers WHERE id = $1`, [submitDossier.id]);
    expect(stored).toEqual({ applicant_account_id: applicantId, received_postal_point_code: null });
    const events = await sql(`SELECT from_status, to_status, actor_account_id, actor_role, reason FROM documents.dossier_events WHERE dossier_id = $1`, [submitDossier.id]);
    expect(events).toEqual([{ from_status: null, to_status: 'SUBMITTED', actor_account_id: applicantId, actor_role: 'CITIZEN', reason: null }]);
  });

  it('keeps the delivery address of a postal delivery, trimmed', async () => {
    const applicantId = randomUUID();
    const { submitDossier } = await gql(url, `mutation($input: SubmitDossierInput!) { submitDossier(input: $input) { id deliveryMethod deliveryAddress } }`,
      { input: anInput({ deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: '  12 Tràng Tiền, Hoàn Kiếm, Hà Nội ' }) }, await citizen(applicantId));
    expect(submitDossier).toMatchObject({ deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: '12 Tràng Tiền, Hoàn Kiếm, Hà Nội' });
  });
});

describe('Account.dossiers', () => {
  const holderId = randomUUID();
  /** Ids in the order they were submitted (oldest first). */
  const submitted: string[] = [];
  const services = ['CCCD_RENEWAL', 'GPLX_EXCHANGE', 'CCCD_REISSUE', 'RESIDENCE_REGISTRATION', 'BHYT_CARD_REISSUE'];
  const account = [{ __typename: 'Account', id: holderId }];

  beforeAll(async () => {
    for (const serviceCode of services) submitted.push((await submit(holderId, { serviceCode })).id);
    // Someone else's dossier must never show up in the holder's list.
    await submit(randomUUID());
  });

  async function allPages(token: string, first: number) {
    const ids: string[] = [];
    const pages: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const { _entities }: any = await gql(url, ACCOUNT_DOSSIERS, { r: account, first, after }, token, { asGatewayTo: 'documents' });
      const { edges, pageInfo } = _entities[0].dossiers;
      pages.push(edges.length);
      ids.push(...edges.map((edge: any) => edge.node.id));
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
      if (!pageInfo.hasNextPage) return { ids, pages };
      after = pageInfo.endCursor;
    }
    throw new Error('pagination never ended');
  }

  it('pages newest first, without duplicates or gaps', async () => {
    const { ids, pages } = await allPages(await citizen(holderId), 2);
    expect(pages).toEqual([2, 2, 1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...submitted].reverse());
  });

  it('shows an administrator the same list', async () => {
    const { ids } = await allPages(await tokenFor({ role: Role.ADMINISTRATOR }), 2);
    expect(ids).toEqual([...submitted].reverse());
  });

  it('is empty for an account without dossiers', async () => {
    const loner = randomUUID();
    const { _entities } = await gql(url, ACCOUNT_DOSSIERS, { r: [{ __typename: 'Account', id: loner }], first: 2 }, await citizen(loner), { asGatewayTo: 'documents' });
    expect(_entities[0].dossiers).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it.each<[string, () => TestTokenClaims]>([
    ['another citizen', () => ({ role: Role.CITIZEN })],
    ['an official of the agency', () => ({ role: Role.OFFICIAL, agencyCode: 'C06' })],
    ['finance', () => ({ role: Role.FINANCE })],
  ])('is refused to %s with FORBIDDEN', async (_who, claims) => {
    const error = await gqlError(url, ACCOUNT_DOSSIERS, { r: account, first: 2 }, await tokenFor(claims()), { asGatewayTo: 'documents' });
    expect(error.extensions?.code).toBe('FORBIDDEN');
  });

  it('asks an anonymous caller to log in', async () => {
    expect((await gqlError(url, ACCOUNT_DOSSIERS, { r: account, first: 2 }, undefined, { asGatewayTo: 'documents' })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each<[string, Record<string, unknown>]>([
    ['first: 0', { first: 0 }],
    ['first: 101', { first: 101 }],
    ['a cursor this list did not give out', { first: 2, after: 'not-a-cursor' }],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables) => {
    const error = await gqlError(url, ACCOUNT_DOSSIERS, { r: account, ...variables }, await citizen(holderId), { asGatewayTo: 'documents' });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('publicServices', () => {
  it('searches ignoring case and diacritics: "doi giay phep" finds "Đổi giấy phép lái xe"', async () => {
    const { publicServices } = await gql(url, SERVICES, { search: 'doi giay phep' });
    expect(publicServices.edges.map((e: any) => e.node)).toEqual([{ code: 'GPLX_EXCHANGE', name: 'Đổi giấy phép lái xe', agencyCode: 'CDB', isActive: true }]);
    const { publicServices: upper } = await gql(url, SERVICES, { search: '  ĐỔI   Giấy ' });
    expect(upper.edges.map((e: any) => e.node.code)).toEqual(['GPLX_EXCHANGE']);
  });

  it('pages by 3 through the whole catalogue: every service once, in catalogue order', async () => {
    const codes: string[] = [];
    const pages: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const { publicServices: page }: any = await gql(url, SERVICES, { first: 3, after });
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      pages.push(page.edges.length);
      codes.push(...page.edges.map((e: any) => e.node.code));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual([3, 3, 3, 2]);
    expect(codes).toEqual([...CATALOGUE.map((s) => s.code), PASSPORT_ISSUE.code]);
    expect(codes).toHaveLength(11);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a one-letter search', { search: 'd' }],
    ['first: 0', { first: 0 }],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables) => {
    expect((await gqlError(url, SERVICES, variables)).extensions?.code).toBe('BAD_USER_INPUT');
  });
});
