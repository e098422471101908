import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importIntegratedDocuments, parseDocumentsJsonl, readDocumentsFile, type IntegratedDocumentRow } from '../../subgraphs/documents/src/wallet/integrated-document.import';
import { Role } from '../../subgraphs/shared/src';
import { aLoggedInCitizen } from '../kit/builders';
import { gql, gqlError, post, type GraphQLResponse } from '../kit/gql';
import { useStack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

/** A calendar day `days` from today in Vietnam (UTC+7, no daylight saving), computed independently of the service. */
const dayInVietnam = (days: number) => new Date(Date.now() + 7 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

const DOCUMENT = 'id type number holderAccountId issuedOn expiresOn licenceClasses status backedByIssuer revokedAt revocationReason issuer { code name }';
const ISSUE = `mutation($input: IssueIntegratedDocumentInput!) { issueIntegratedDocument(input: $input) { ${DOCUMENT} } }`;
const REVOKE = `mutation($id: ID!, $reason: String!) { revokeIntegratedDocument(id: $id, reason: $reason) { ${DOCUMENT} } }`;
const BY_ID = `query($id: ID!) { integratedDocument(id: $id) { id status } }`;
const REQUEST_FIELDS = 'id type number status refusalReason decidedAt issuer { code } holder { id } document { id status backedByIssuer issuedOn licenceClasses }';
const REQUEST = `mutation($input: RequestDocumentIntegrationInput!) { requestDocumentIntegration(input: $input) { ${REQUEST_FIELDS} } }`;
const APPROVE = `mutation($id: ID!, $issuedOn: Date!, $expiresOn: Date, $classes: [String!]) {
  approveDocumentIntegration(requestId: $id, issuedOn: $issuedOn, expiresOn: $expiresOn, licenceClasses: $classes) { ${REQUEST_FIELDS} } }`;
const REFUSE = `mutation($id: ID!, $reason: String!) { refuseDocumentIntegration(requestId: $id, reason: $reason) { ${REQUEST_FIELDS} } }`;
const QUEUE = `query($status: DocumentIntegrationRequestStatus, $first: Int, $after: String) {
  documentIntegrationRequests(status: $status, first: $first, after: $after) { edges { node { id status type } } pageInfo { hasNextPage endCursor } } }`;
const MY_WALLET = `query($type: IntegratedDocumentType, $status: IntegratedDocumentStatus) { me { id
  documents(type: $type, status: $status, first: 50) { edges { node { id type status } } }
  documentRequests(first: 50) { edges { node { id status } } } } }`;
const ACCOUNT_DOCUMENTS = `query($r: [_Any!]!, $first: Int, $after: String, $type: IntegratedDocumentType, $status: IntegratedDocumentStatus) {
  _entities(representations: $r) { ... on Account { documents(first: $first, after: $after, type: $type, status: $status) {
    edges { node { id issuedOn status } cursor } pageInfo { hasNextPage endCursor } } } } }`;
const ENTITY_DOCUMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on IntegratedDocument { id number status holder { id } } } }`;
const ENTITY_OF_TYPE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on DocumentsOfType { holderAccountId type documents { id number status } } } }`;

const official = (agencyCode: string, level: 1 | 2 = 2): TestTokenClaims => ({ role: Role.OFFICIAL, agencyCode, level });
const codeOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.extensions?.code ?? 'OK';

/** What an issuer states about a document; a fresh number each time unless given. */
const aLicence = (holderAccountId: string, change: Record<string, unknown> = {}) => ({
  holderAccountId, type: 'DRIVING_LICENCE', number: digits(12), issuedOn: '2019-08-15', expiresOn: '2029-08-15', licenceClasses: ['B', 'A1'], ...change,
});
const anIdCard = (holderAccountId: string, change: Record<string, unknown> = {}) => ({
  holderAccountId, type: 'CITIZEN_ID_CARD', number: digits(12), issuedOn: '2021-06-01', expiresOn: '2030-04-12', ...change,
});

describe('the wallet (ví giấy tờ)', () => {
  const stack = useStack({ postalPoints: 20 });
  const sql = <T = any>(query: string, parameters: unknown[] = []): Promise<T[]> => stack.documents.database.dataSource.query(query, parameters);
  const documentsUrl = () => `${stack.documents.url}/graphql`;
  const tokenFor = (claims: TestTokenClaims) => stack.tokenFor(claims);
  const citizen = (accountId: string, level: 1 | 2 = 2) => stack.tokenFor({ role: Role.CITIZEN, accountId, level });
  const issue = async (input: Record<string, unknown>, claims: TestTokenClaims) => post(stack.gatewayUrl, ISSUE, { input }, await tokenFor(claims));
  /** Issues as a level-2 official of the type's issuer; the document as the gateway answers. */
  const issued = async (input: Record<string, unknown>) => {
    const agency = { DRIVING_LICENCE: 'CDB', CITIZEN_ID_CARD: 'C06', PASSPORT: 'A08', TAX_CODE: 'TCT', HEALTH_INSURANCE_CARD: 'BHXH' }[input.type as string]!;
    return (await gql(stack.gatewayUrl, ISSUE, { input }, await tokenFor(official(agency)))).issueIntegratedDocument;
  };
  const rowOf = async (id: string) => (await sql(`SELECT * FROM documents.integrated_documents WHERE id = $1`, [id]))[0];
  const countOf = async (type: string, number: string) => (await sql(`SELECT count(*)::int AS n FROM documents.integrated_documents WHERE type = $1 AND number = $2`, [type, number]))[0].n;

  describe('issuing a document', () => {
    it('is done by a level-2 official of the issuing agency: the document reads VALID, backed by its issuer, with the issuer resolved', async () => {
      const holder = randomUUID();
      const input = aLicence(holder);
      const document = await issued(input);
      expect(document).toEqual({
        id: expect.any(String), type: 'DRIVING_LICENCE', number: input.number, holderAccountId: holder, issuedOn: '2019-08-15', expiresOn: '2029-08-15',
        licenceClasses: ['A1', 'B'], status: 'VALID', backedByIssuer: true, revokedAt: null, revocationReason: null,
        issuer: { code: 'CDB', name: 'Cục Đường bộ Việt Nam' },
      });
      expect(await rowOf(document.id)).toMatchObject({ holder_account_id: holder, issuer_agency_code: 'CDB', licence_classes: ['A1', 'B'], backed_by_issuer: true });
    });

    it.each<[string, TestTokenClaims, string]>([
      ['an official of another agency (the police, C06)', official('C06'), 'FORBIDDEN'],
      ['a level-1 official of the issuing agency', official('CDB', 1), 'FORBIDDEN'],
      ['an official of no agency', { role: Role.OFFICIAL, level: 2 }, 'FORBIDDEN'],
      ['the holder themself', { role: Role.CITIZEN }, 'FORBIDDEN'],
      ['a level-2 administrator', { role: Role.ADMINISTRATOR, level: 2 }, 'FORBIDDEN'],
      ['a postal clerk', { role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' }, 'FORBIDDEN'],
      ['a partner bank', { role: Role.PARTNER_BANK }, 'FORBIDDEN'],
    ])('is refused to %s, storing nothing', async (_who, claims, code) => {
      const holder = randomUUID();
      const input = aLicence(holder);
      const response = await issue(input, claims.role === Role.CITIZEN ? { ...claims, accountId: holder } : claims);
      expect(response.errors?.[0].extensions).toMatchObject({ code, action: 'integratedDocument.issue' });
      expect(await countOf('DRIVING_LICENCE', input.number)).toBe(0);
    });

    it('asks an anonymous caller to log in', async () => {
      expect(codeOf(await post(stack.gatewayUrl, ISSUE, { input: aLicence(randomUUID()) }))).toBe('UNAUTHENTICATED');
    });

    it('is idempotent on type and number: the same facts again (number typed in lower case with spaces) return the same document, unwritten', async () => {
      const input = { ...aLicence(randomUUID()), type: 'PASSPORT', number: `C${digits(7)}`, licenceClasses: null };
      const first = await issued(input);
      const before = await rowOf(first.id);
      const again = await issued({ ...input, number: ` ${input.number.toLowerCase()} ` });
      expect(again).toEqual(first);
      expect((await rowOf(first.id)).updated_at).toEqual(before.updated_at);
      expect(await countOf('PASSPORT', input.number)).toBe(1);
    });

    it('lands once when the same document is issued five times at once', async () => {
      const input = anIdCard(randomUUID());
      const answers = await Promise.all(Array.from({ length: 5 }, () => issue(input, official('C06'))));
      expect(answers.map(codeOf)).toEqual(Array(5).fill('OK'));
      expect(new Set(answers.map((a: any) => a.data.issueIntegratedDocument.id)).size).toBe(1);
      expect(await countOf('CITIZEN_ID_CARD', input.number)).toBe(1);
    });

    it('refuses a number that is in another holder\'s wallet with CONFLICT, changing nothing', async () => {
      const input = anIdCard(randomUUID());
      const first = await issued(input);
      const response = await issue({ ...input, holderAccountId: randomUUID(), issuedOn: '2022-01-01' }, official('C06'));
      expect(codeOf(response)).toBe('CONFLICT');
      expect(await rowOf(first.id)).toMatchObject({ holder_account_id: input.holderAccountId });
    });

    it('re-issues a number with a later issue date (a renewed ID card keeps its number), ending a revocation; an older issue is CONFLICT', async () => {
      const input = anIdCard(randomUUID(), { issuedOn: '2016-03-01', expiresOn: '2021-03-01' });
      const first = await issued(input);
      await gql(stack.gatewayUrl, REVOKE, { id: first.id, reason: 'Thẻ hết hạn, đã cấp đổi' }, await tokenFor(official('C06')));
      const renewed = await issued({ ...input, issuedOn: '2021-06-01', expiresOn: '2030-04-12' });
      expect(renewed).toMatchObject({ id: first.id, issuedOn: '2021-06-01', expiresOn: '2030-04-12', status: 'VALID', revokedAt: null });
      const stale = await issue({ ...input, issuedOn: '2018-01-01', expiresOn: '2028-01-01' }, official('C06'));
      expect(codeOf(stale)).toBe('CONFLICT');
      expect(stale.errors?.[0].message).toMatch(/later issue .* 2021-06-01/);
    });

    it.each<[string, (holder: string) => Record<string, unknown>, string[]]>([
      ['an issue date in the future', (h) => anIdCard(h, { issuedOn: dayInVietnam(1), expiresOn: null }), ['issuedOn']],
      ['an expiry on or before the issue date', (h) => anIdCard(h, { expiresOn: '2021-06-01' }), ['expiresOn']],
      ['an ID card number of 11 digits', (h) => anIdCard(h, { number: digits(11) }), ['number']],
      ['a passport number in the wrong format', (h) => anIdCard(h, { type: 'PASSPORT', number: '12345678', expiresOn: null }), ['number']],
      ['licence classes on an ID card', (h) => anIdCard(h, { licenceClasses: ['B'] }), ['licenceClasses']],
      ['a driving licence without classes', (h) => aLicence(h, { licenceClasses: [] }), ['licenceClasses']],
      ['a class the law does not have', (h) => aLicence(h, { licenceClasses: ['B2'] }), ['licenceClasses']],
      ['an expiry on a tax code, which never expires', (h) => anIdCard(h, { type: 'TAX_CODE', number: digits(10) }), ['expiresOn']],
      ['a holder that is no account id', () => anIdCard('001190000123'), ['holderAccountId']],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_case, make, expected) => {
      const input = make(randomUUID());
      const agency = { DRIVING_LICENCE: 'CDB', CITIZEN_ID_CARD: 'C06', PASSPORT: 'A08', TAX_CODE: 'TCT' }[input.type as string]!;
      const error = await gqlError(stack.gatewayUrl, ISSUE, { input }, await tokenFor(official(agency)));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect((error.extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual(expected);
    });
  });

  describe('revoking a document', () => {
    it('is done by a level-2 official of its issuer, with a reason kept with the time; twice is CONFLICT', async () => {
      const document = await issued(aLicence(randomUUID()));
      const revokedBy = randomUUID();
      const { revokeIntegratedDocument } = await gql(stack.gatewayUrl, REVOKE, { id: document.id, reason: '  Tước quyền sử dụng giấy phép  ' }, await tokenFor({ ...official('CDB'), accountId: revokedBy }));
      expect(revokeIntegratedDocument).toMatchObject({ id: document.id, status: 'REVOKED', revocationReason: 'Tước quyền sử dụng giấy phép', revokedAt: expect.any(String) });
      expect(await rowOf(document.id)).toMatchObject({ revoked_by_account_id: revokedBy });
      const again = await post(stack.gatewayUrl, REVOKE, { id: document.id, reason: 'Lần nữa' }, await tokenFor(official('CDB')));
      expect(codeOf(again)).toBe('CONFLICT');
      expect((await rowOf(document.id)).revocation_reason).toBe('Tước quyền sử dụng giấy phép');
    });

    it.each<[string, TestTokenClaims, Record<string, unknown>, string]>([
      ['an official of another agency (as if it did not exist)', official('C06'), {}, 'NOT_FOUND'],
      ['a level-1 official of the issuer', official('CDB', 1), {}, 'FORBIDDEN'],
      ['the holder', { role: Role.CITIZEN }, {}, 'FORBIDDEN'],
      ['an administrator', { role: Role.ADMINISTRATOR }, {}, 'FORBIDDEN'],
      ['the issuer, without a reason', official('CDB'), { reason: '  ' }, 'BAD_USER_INPUT'],
      ['the issuer, for a document that does not exist', official('CDB'), { id: randomUUID() }, 'NOT_FOUND'],
    ])('is refused to %s', async (_who, claims, change, code) => {
      const document = await issued(aLicence(randomUUID()));
      expect(codeOf(await post(stack.gatewayUrl, REVOKE, { id: document.id, reason: 'Giấy phép giả', ...change }, await tokenFor(claims)))).toBe(code);
      expect((await rowOf(document.id)).revoked_at).toBeNull();
    });
  });

  describe('expiry, read at the time', () => {
    it('reads EXPIRED the day after expiresOn, with nothing written; VALID up to and including it', async () => {
      const holder = randomUUID();
      const expired = await issued(anIdCard(holder, { issuedOn: '2015-01-01', expiresOn: dayInVietnam(-1) }));
      const lastDay = await issued(anIdCard(holder, { issuedOn: '2015-01-01', expiresOn: dayInVietnam(0) }));
      expect([expired.status, lastDay.status]).toEqual(['EXPIRED', 'VALID']);
      const before = await rowOf(expired.id);
      const token = await citizen(holder);
      expect((await gql(stack.gatewayUrl, BY_ID, { id: expired.id }, token)).integratedDocument).toEqual({ id: expired.id, status: 'EXPIRED' });
      expect(await rowOf(expired.id)).toEqual(before);
      const columns = await sql(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'documents' AND table_name = 'integrated_documents' AND column_name = 'status'`);
      expect(columns).toEqual([]);
    });
  });

  describe('a citizen\'s requests to add a document', () => {
    let holder: Awaited<ReturnType<typeof aLoggedInCitizen>>;
    beforeAll(async () => { holder = await aLoggedInCitizen(stack); });
    const ask = async (input: Record<string, unknown>, token = holder.token) => post(stack.gatewayUrl, REQUEST, { input }, token);
    const asked = async (input: Record<string, unknown>) => (await gql(stack.gatewayUrl, REQUEST, { input }, holder.token)).requestDocumentIntegration;
    const statusOf = async (id: string) => (await sql(`SELECT status FROM documents.document_integration_requests WHERE id = $1`, [id]))[0].status;

    it('waits PENDING for the issuing agency; asking again gives back the same request; the holder lists it', async () => {
      const number = digits(12);
      const request = await asked({ type: 'CITIZEN_ID_CARD', number: ` ${number} ` });
      expect(request).toEqual({ id: expect.any(String), type: 'CITIZEN_ID_CARD', number, status: 'PENDING', refusalReason: null, decidedAt: null, issuer: { code: 'C06' }, holder: { id: holder.accountId }, document: null });
      expect((await asked({ type: 'CITIZEN_ID_CARD', number })).id).toBe(request.id);
      const { me } = await gql(stack.gatewayUrl, MY_WALLET, {}, holder.token);
      expect(me.documentRequests.edges.map((e: any) => e.node)).toContainEqual({ id: request.id, status: 'PENDING' });
    });

    it('is in the queue of the issuing agency\'s officials, oldest first, and in no other agency\'s', async () => {
      const first = await asked({ type: 'PASSPORT', number: `B${digits(7)}` });
      const second = await asked({ type: 'PASSPORT', number: `B${digits(7)}` });
      const queue = async (claims: TestTokenClaims) => (await gql(stack.gatewayUrl, QUEUE, { status: 'PENDING', first: 100 }, await tokenFor(claims))).documentIntegrationRequests.edges.map((e: any) => e.node.id);
      const immigration = await queue(official('A08'));
      expect(immigration.indexOf(first.id)).toBeLessThan(immigration.indexOf(second.id));
      expect(immigration.indexOf(first.id)).toBeGreaterThanOrEqual(0);
      expect(await queue(official('C06'))).not.toContain(first.id);
      expect(codeOf(await post(stack.gatewayUrl, QUEUE, {}, await citizen(holder.accountId)))).toBe('FORBIDDEN');
      expect(codeOf(await post(stack.gatewayUrl, QUEUE, {}, await tokenFor(official('A08', 1))))).toBe('FORBIDDEN');
    });

    it('approved, puts the document in the wallet backed by its issuer, in the same transaction; deciding again is CONFLICT', async () => {
      const request = await asked({ type: 'DRIVING_LICENCE', number: digits(12) });
      const { approveDocumentIntegration } = await gql(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2020-02-02', expiresOn: '2030-02-02', classes: ['B'] }, await tokenFor(official('CDB')));
      expect(approveDocumentIntegration).toMatchObject({
        id: request.id, status: 'APPROVED', decidedAt: expect.any(String),
        document: { id: expect.any(String), status: 'VALID', backedByIssuer: true, issuedOn: '2020-02-02', licenceClasses: ['B'] },
      });
      const { me } = await gql(stack.gatewayUrl, MY_WALLET, { type: 'DRIVING_LICENCE' }, holder.token);
      expect(me.documents.edges.map((e: any) => e.node)).toContainEqual({ id: approveDocumentIntegration.document.id, type: 'DRIVING_LICENCE', status: 'VALID' });
      for (const again of [
        post(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2020-02-02', expiresOn: '2030-02-02', classes: ['B'] }, await tokenFor(official('CDB'))),
        post(stack.gatewayUrl, REFUSE, { id: request.id, reason: 'Không khớp' }, await tokenFor(official('CDB'))),
      ]) expect(codeOf(await again)).toBe('CONFLICT');
    });

    it('refused, keeps the reason; approving it afterwards is CONFLICT and adds nothing', async () => {
      const number = digits(10);
      const request = await asked({ type: 'SOCIAL_INSURANCE_BOOK', number });
      const { refuseDocumentIntegration } = await gql(stack.gatewayUrl, REFUSE, { id: request.id, reason: ' Số sổ không có trong cơ sở dữ liệu ' }, await tokenFor(official('BHXH')));
      expect(refuseDocumentIntegration).toMatchObject({ status: 'REFUSED', refusalReason: 'Số sổ không có trong cơ sở dữ liệu', document: null });
      expect(codeOf(await post(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2015-01-01' }, await tokenFor(official('BHXH'))))).toBe('CONFLICT');
      expect(await countOf('SOCIAL_INSURANCE_BOOK', number)).toBe(0);
    });

    it('approved by six officials at once: exactly one wins, the others are CONFLICT, one document', async () => {
      const number = digits(12);
      const request = await asked({ type: 'CITIZEN_ID_CARD', number });
      const answers = await Promise.all(Array.from({ length: 6 }, async () => post(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2021-06-01', expiresOn: '2030-04-12' }, await tokenFor(official('C06')))));
      expect(answers.map(codeOf).sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
      expect(await countOf('CITIZEN_ID_CARD', number)).toBe(1);
      expect(await statusOf(request.id)).toBe('APPROVED');
    });

    it('decided at the same moment by an approval and a refusal: exactly one of them wins', async () => {
      const request = await asked({ type: 'CITIZEN_ID_CARD', number: digits(12) });
      const token = await tokenFor(official('C06'));
      const answers = await Promise.all([
        post(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2021-06-01', expiresOn: '2030-04-12' }, token),
        post(stack.gatewayUrl, REFUSE, { id: request.id, reason: 'Không khớp dữ liệu' }, token),
        post(stack.gatewayUrl, REFUSE, { id: request.id, reason: 'Không khớp dữ liệu' }, token),
      ]);
      expect(answers.map(codeOf).filter((c) => c === 'OK')).toHaveLength(1);
      expect(answers.map(codeOf).filter((c) => c === 'CONFLICT')).toHaveLength(2);
    });

    it.each<[string, TestTokenClaims | 'holder', string]>([
      ['an official of another agency (as if it did not exist)', official('CDB'), 'NOT_FOUND'],
      ['a level-1 official of the issuer', official('C06', 1), 'FORBIDDEN'],
      ['the holder', 'holder', 'FORBIDDEN'],
      ['an administrator', { role: Role.ADMINISTRATOR }, 'FORBIDDEN'],
    ])('cannot be decided by %s', async (_who, claims, code) => {
      const request = await asked({ type: 'CITIZEN_ID_CARD', number: digits(12) });
      const token = claims === 'holder' ? holder.token : await tokenFor(claims);
      expect(codeOf(await post(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2021-06-01' }, token))).toBe(code);
      expect(codeOf(await post(stack.gatewayUrl, REFUSE, { id: request.id, reason: 'Không khớp' }, token))).toBe(code);
      expect(await statusOf(request.id)).toBe('PENDING');
    });

    it('stays PENDING when the approval\'s facts are wrong (BAD_USER_INPUT) or the number is in another wallet (CONFLICT)', async () => {
      const taken = await issued(anIdCard(randomUUID()));
      const request = await asked({ type: 'CITIZEN_ID_CARD', number: taken.number });
      const token = await tokenFor(official('C06'));
      const bad = await gqlError(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2021-06-01', expiresOn: '2020-01-01', classes: ['B'] }, token);
      expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'expiresOn' }, { field: 'licenceClasses' }] });
      expect(codeOf(await post(stack.gatewayUrl, APPROVE, { id: request.id, issuedOn: '2022-01-01' }, token))).toBe('CONFLICT');
      expect(await statusOf(request.id)).toBe('PENDING');
      expect((await rowOf(taken.id)).holder_account_id).toBe(taken.holderAccountId);
    });

    it('is refused for a document already in the wallet (CONFLICT), a number of the wrong format (BAD_USER_INPUT), and to staff (FORBIDDEN)', async () => {
      const mine = await issued(anIdCard(holder.accountId));
      expect(codeOf(await ask({ type: 'CITIZEN_ID_CARD', number: mine.number }))).toBe('CONFLICT');
      const error = await gqlError(stack.gatewayUrl, REQUEST, { input: { type: 'PASSPORT', number: '123' } }, holder.token);
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'number' }] });
      expect(codeOf(await ask({ type: 'PASSPORT', number: `C${digits(7)}` }, await tokenFor(official('A08'))))).toBe('FORBIDDEN');
      expect(codeOf(await post(stack.gatewayUrl, REQUEST, { input: { type: 'PASSPORT', number: `C${digits(7)}` } }))).toBe('UNAUTHENTICATED');
    });
  });

  describe('Account.documents', () => {
    const holder = randomUUID();
    /** Issue dates, newest first, as the wallet lists them. */
    const issuedOn = ['2024-05-05', '2023-04-04', '2022-03-03', '2021-02-02', '2020-01-01'];
    const ids: string[] = [];
    const account = [{ __typename: 'Account', id: holder }];

    beforeAll(async () => {
      for (const day of [...issuedOn].reverse()) ids.unshift((await issued(anIdCard(holder, { issuedOn: day, expiresOn: null }))).id);
      // Someone else's document never shows up in this wallet.
      await issued(anIdCard(randomUUID()));
    });

    async function allPages(token: string, first: number, filters: Record<string, unknown> = {}) {
      const seen: string[] = [];
      const pages: number[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 20; guard++) {
        const { _entities }: any = await gql(documentsUrl(), ACCOUNT_DOCUMENTS, { r: account, first, after, ...filters }, token, { asGatewayTo: 'documents' });
        const { edges, pageInfo } = _entities[0].documents;
        pages.push(edges.length);
        seen.push(...edges.map((e: any) => e.node.id));
        if (!pageInfo.hasNextPage) return { ids: seen, pages };
        after = pageInfo.endCursor;
      }
      throw new Error('pagination never ended');
    }

    it('pages the holder\'s wallet newest issued first, without duplicates or gaps', async () => {
      const { ids: seen, pages } = await allPages(await citizen(holder), 2);
      expect(pages).toEqual([2, 2, 1]);
      expect(seen).toEqual(ids);
    });

    it('filters by type and by status today', async () => {
      const revoked = ids[1];
      await gql(stack.gatewayUrl, REVOKE, { id: revoked, reason: 'Thẻ bị mất' }, await tokenFor(official('C06')));
      const token = await citizen(holder);
      expect((await allPages(token, 10, { status: 'REVOKED' })).ids).toEqual([revoked]);
      expect((await allPages(token, 10, { status: 'VALID' })).ids).toEqual(ids.filter((id) => id !== revoked));
      expect((await allPages(token, 10, { status: 'EXPIRED' })).ids).toEqual([]);
      expect((await allPages(token, 10, { type: 'PASSPORT' })).ids).toEqual([]);
      expect((await allPages(token, 10, { type: 'CITIZEN_ID_CARD' })).ids).toEqual(ids);
    });

    it.each<[string, () => TestTokenClaims, boolean | string]>([
      ['the holder', () => ({ role: Role.CITIZEN, accountId: holder }), true],
      ['a level-2 administrator', () => ({ role: Role.ADMINISTRATOR, level: 2 }), true],
      ['a level-1 administrator', () => ({ role: Role.ADMINISTRATOR, level: 1 }), 'FORBIDDEN'],
      ['another citizen', () => ({ role: Role.CITIZEN }), 'FORBIDDEN'],
      ['an official of the issuer', () => official('C06'), 'FORBIDDEN'],
      ['a partner bank', () => ({ role: Role.PARTNER_BANK }), 'FORBIDDEN'],
    ])('is shown to %s: %s', async (_who, claims, expected) => {
      const response = await post(documentsUrl(), ACCOUNT_DOCUMENTS, { r: account, first: 10 }, await tokenFor(claims()), { asGatewayTo: 'documents' });
      if (expected === true) expect((response.data as any)._entities[0].documents.edges.map((e: any) => e.node.id)).toEqual(ids);
      else expect(response.errors?.[0].extensions).toMatchObject({ code: expected, action: 'integratedDocument.listForAccount' });
    });

    it('asks an anonymous caller to log in, and refuses a cursor it did not give out', async () => {
      expect(codeOf(await post(documentsUrl(), ACCOUNT_DOCUMENTS, { r: account, first: 2 }, undefined, { asGatewayTo: 'documents' }))).toBe('UNAUTHENTICATED');
      for (const after of ['not-a-cursor', Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url')]) {
        expect(codeOf(await post(documentsUrl(), ACCOUNT_DOCUMENTS, { r: account, first: 2, after }, await citizen(holder), { asGatewayTo: 'documents' }))).toBe('BAD_USER_INPUT');
      }
    });

    it('reaches the logged-in holder through the gateway (me { documents })', async () => {
      const person = await aLoggedInCitizen(stack);
      const mine = await issued(aLicence(person.accountId));
      const { me } = await gql(stack.gatewayUrl, MY_WALLET, {}, person.token);
      expect(me.documents.edges.map((e: any) => e.node)).toEqual([{ id: mine.id, type: 'DRIVING_LICENCE', status: 'VALID' }]);
    });
  });

  describe('references from other subgraphs (_entities, signed as the gateway)', () => {
    const holder = randomUUID();
    let document: { id: string; number: string };
    const resolve = async (query: string, representation: Record<string, unknown>, claims: TestTokenClaims | null) =>
      post(documentsUrl(), query, { r: [representation] }, claims ? await tokenFor(claims) : undefined, { asGatewayTo: 'documents' });
    const entity = async (representation: Record<string, unknown>, claims: TestTokenClaims) => ((await resolve(ENTITY_DOCUMENT, representation, claims)).data as any)?._entities[0] ?? null;

    beforeAll(async () => { document = await issued(aLicence(holder)); });

    it.each<[string, () => TestTokenClaims, boolean]>([
      ['the holder', () => ({ role: Role.CITIZEN, accountId: holder }), true],
      ['a level-2 administrator', () => ({ role: Role.ADMINISTRATOR, level: 2 }), true],
      ['a level-2 official of the issuer', () => official('CDB'), true],
      ['a level-1 administrator', () => ({ role: Role.ADMINISTRATOR, level: 1 }), false],
      ['a level-1 official of the issuer', () => official('CDB', 1), false],
      ['an official of another agency', () => official('C06'), false],
      ['another citizen', () => ({ role: Role.CITIZEN }), false],
      ['a level-2 postal clerk', () => ({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: '001-BC-0001' }), false],
      ['a partner bank', () => ({ role: Role.PARTNER_BANK }), false],
    ])('by { id }: %s sees it: %s', async (_who, claims, visible) => {
      expect(await entity({ __typename: 'IntegratedDocument', id: document.id }, claims())).toEqual(visible ? { id: document.id, number: document.number, status: 'VALID', holder: { id: holder } } : null);
    });

    it.each<[string, () => TestTokenClaims, boolean]>([
      ['the holder', () => ({ role: Role.CITIZEN, accountId: holder }), true],
      ['a level-2 administrator', () => ({ role: Role.ADMINISTRATOR, level: 2 }), true],
      ['a level-2 postal clerk (a scanned QR code)', () => ({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: '001-BC-0001' }), true],
      ['a level-2 official of any agency (a scanned QR code)', () => official('C06'), true],
      ['a partner bank (eKYC with consent)', () => ({ role: Role.PARTNER_BANK }), true],
      ['a level-1 postal clerk', () => ({ role: Role.POSTAL_CLERK, level: 1, postalPointCode: '001-BC-0001' }), false],
      ['a level-1 official', () => official('C06', 1), false],
      ['a level-1 administrator', () => ({ role: Role.ADMINISTRATOR, level: 1 }), false],
      ['finance', () => ({ role: Role.FINANCE }), false],
      ['another citizen', () => ({ role: Role.CITIZEN }), false],
    ])('by { id holderAccountId } naming the real holder: %s sees it: %s', async (_who, claims, visible) => {
      const got = await entity({ __typename: 'IntegratedDocument', id: document.id, holderAccountId: holder }, claims());
      expect(got).toEqual(visible ? { id: document.id, number: document.number, status: 'VALID', holder: { id: holder } } : null);
    });

    it('by { id holderAccountId } naming someone else as the holder: null for everyone, the holder and administrators included', async () => {
      const wrongHolder = randomUUID();
      for (const claims of [{ role: Role.ADMINISTRATOR, level: 2 as const }, { role: Role.PARTNER_BANK }, { role: Role.CITIZEN, accountId: wrongHolder }, { role: Role.CITIZEN, accountId: holder }, official('CDB')]) {
        expect(await entity({ __typename: 'IntegratedDocument', id: document.id, holderAccountId: wrongHolder }, claims)).toBeNull();
      }
    });

    it('is entered by the gateway with { id holderAccountId } only, so every hand-over names the holder it is checked against', () => {
      // The planner takes the cheapest key another subgraph can fill: with `id` resolvable it would send `{ id }` alone.
      const supergraph = readFileSync(path.join(__dirname, '../../schema/supergraph.graphql'), 'utf8');
      const joins = /type IntegratedDocument\n([\s\S]*?)\{/.exec(supergraph)![1];
      expect(joins.match(/@join__type\(graph: DOCUMENTS[^)]*\)/g)).toEqual(['@join__type(graph: DOCUMENTS, key: "id holderAccountId")', '@join__type(graph: DOCUMENTS, key: "id", resolvable: false)']);
    });

    it('answers null for an unknown id or one that is not an id, asks an anonymous caller to log in, and is refused without the gateway proof', async () => {
      expect(await entity({ __typename: 'IntegratedDocument', id: randomUUID() }, { role: Role.ADMINISTRATOR })).toBeNull();
      expect(await entity({ __typename: 'IntegratedDocument', id: 'DL-1', holderAccountId: holder }, { role: Role.PARTNER_BANK })).toBeNull();
      expect(codeOf(await resolve(ENTITY_DOCUMENT, { __typename: 'IntegratedDocument', id: document.id }, null))).toBe('UNAUTHENTICATED');
      const direct = await post(documentsUrl(), ENTITY_DOCUMENT, { r: [{ __typename: 'IntegratedDocument', id: document.id, holderAccountId: holder }] }, await tokenFor({ role: Role.PARTNER_BANK }));
      expect(direct.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'GATEWAY_ONLY' });
    });

    it('DocumentsOfType: the holder\'s VALID documents of the type, newest issued first, to whom a presented document goes; empty for others', async () => {
      const person = randomUUID();
      const valid = await issued(anIdCard(person, { issuedOn: '2021-06-01', expiresOn: null }));
      const older = await issued(anIdCard(person, { issuedOn: '2016-01-01', expiresOn: null }));
      await issued(anIdCard(person, { issuedOn: '2010-01-01', expiresOn: dayInVietnam(-1) }));
      const revoked = await issued(anIdCard(person, { issuedOn: '2012-01-01', expiresOn: null }));
      await gql(stack.gatewayUrl, REVOKE, { id: revoked.id, reason: 'Thẻ bị mất' }, await tokenFor(official('C06')));
      await issued(aLicence(person));
      const representations = [{ __typename: 'DocumentsOfType', holderAccountId: person, type: 'CITIZEN_ID_CARD' }, { __typename: 'DocumentsOfType', holderAccountId: person, type: 'PASSPORT' }];
      const ofType = async (claims: TestTokenClaims) => ((await post(documentsUrl(), ENTITY_OF_TYPE, { r: representations }, await tokenFor(claims), { asGatewayTo: 'documents' })).data as any)._entities;
      const shown = [
        { holderAccountId: person, type: 'CITIZEN_ID_CARD', documents: [valid, older].map((d) => ({ id: d.id, number: d.number, status: 'VALID' })) },
        { holderAccountId: person, type: 'PASSPORT', documents: [] },
      ];
      for (const claims of [{ role: Role.PARTNER_BANK }, { role: Role.CITIZEN, accountId: person }, official('A08'), { role: Role.ADMINISTRATOR, level: 2 as const }]) expect(await ofType(claims)).toEqual(shown);
      const hidden = shown.map((s) => ({ ...s, documents: [] }));
      for (const claims of [{ role: Role.FINANCE }, { role: Role.CITIZEN }, official('C06', 1), { role: Role.ADMINISTRATOR, level: 1 as const }]) expect(await ofType(claims)).toEqual(hidden);
    });
  });

  describe('importing an issuer\'s records', () => {
    const db = () => stack.documents.database.dataSource;
    const jsonl = (rows: Partial<IntegratedDocumentRow>[]) => parseDocumentsJsonl(rows.map((r) => JSON.stringify(r)).join('\n'));
    const holder = randomUUID();
    const stamps = async (numbers: string[]) => sql(`SELECT number, updated_at FROM documents.integrated_documents WHERE number = ANY($1) ORDER BY number`, [numbers]);

    it('imports the good rows, rejects the bad ones with line and reason, and a second run changes nothing', async () => {
      const taken = await issued(anIdCard(randomUUID()));
      const numbers = { card: digits(12), licence: digits(12), tax: digits(10), passport: `C${digits(7)}` };
      const file = jsonl([
        { holderAccountId: holder, type: 'CITIZEN_ID_CARD', number: numbers.card, issuerAgencyCode: 'C06', issuedOn: '2021-06-01', expiresOn: '2030-04-12' },
        { holderAccountId: holder, type: 'DRIVING_LICENCE', number: numbers.licence, issuerAgencyCode: 'CDB', issuedOn: '2019-08-15', expiresOn: '2029-08-15', licenceClasses: ['A1', 'B'] },
        { holderAccountId: holder, type: 'TAX_CODE', number: numbers.tax, issuerAgencyCode: 'TCT', issuedOn: '2020-01-01' },
        { holderAccountId: holder, type: 'PASSPORT', number: numbers.passport, issuerAgencyCode: 'A08', issuedOn: '2014-05-10', expiresOn: '2024-05-10', revoked: true, revocationReason: 'Báo mất' },
        { holderAccountId: holder, type: 'TAX_CODE', number: numbers.tax, issuerAgencyCode: 'TCT', issuedOn: '2020-01-01' },
        { holderAccountId: holder, type: 'PASSPORT', number: `C${digits(7)}`, issuerAgencyCode: 'C06', issuedOn: '2014-05-10' },
        { holderAccountId: holder, type: 'CITIZEN_ID_CARD', number: taken.number, issuerAgencyCode: 'C06', issuedOn: '2022-01-01' },
        { holderAccountId: holder, type: 'DRIVING_LICENCE', number: digits(12), issuerAgencyCode: 'CDB', issuedOn: dayInVietnam(1), licenceClasses: ['F'] },
      ]);
      const progress: [number, number][] = [];
      const first = await importIntegratedDocuments(db(), file, { batchSize: 3, onProgress: (done, total) => progress.push([done, total]) });
      expect(first).toEqual({
        total: 8, inserted: 4, updated: 0, unchanged: 0,
        rejected: [
          { line: 5, reason: `TAX_CODE ${numbers.tax} is already on line 3` },
          { line: 6, reason: 'issuerAgencyCode: a PASSPORT is issued by A08, not "C06"' },
          { line: 7, reason: `CITIZEN_ID_CARD ${taken.number} is in another holder's wallet` },
          { line: 8, reason: expect.stringMatching(/^issuedOn: .*future.*; licenceClasses: "F" is not a licence class/) },
        ],
      });
      expect(progress.at(-1)).toEqual([8, 8]);
      expect((await rowOf(taken.id)).holder_account_id).toBe(taken.holderAccountId);

      const { _entities } = await gql(documentsUrl(), ACCOUNT_DOCUMENTS, { r: [{ __typename: 'Account', id: holder }], first: 10 }, await citizen(holder), { asGatewayTo: 'documents' });
      expect(_entities[0].documents.edges.map((e: any) => [e.node.issuedOn, e.node.status])).toEqual([
        ['2021-06-01', 'VALID'], ['2020-01-01', 'VALID'], ['2019-08-15', 'VALID'], ['2014-05-10', 'REVOKED'],
      ]);

      const before = await stamps(Object.values(numbers));
      const second = await importIntegratedDocuments(db(), file, { batchSize: 3 });
      expect({ ...second, rejected: second.rejected.length }).toEqual({ total: 8, inserted: 0, updated: 0, unchanged: 4, rejected: 4 });
      expect(await stamps(Object.values(numbers))).toEqual(before);
    });

    it('applies a correction and a later issue, keeps a revocation a later file leaves out, and rejects a stale row', async () => {
      const number = digits(12);
      const row = { holderAccountId: holder, type: 'DRIVING_LICENCE', number, issuerAgencyCode: 'CDB', issuedOn: '2019-08-15', expiresOn: '2029-08-15', licenceClasses: ['B'] };
      await importIntegratedDocuments(db(), jsonl([{ ...row, revoked: true, revocationReason: 'Tước bằng' }]));
      const corrected = await importIntegratedDocuments(db(), jsonl([{ ...row, licenceClasses: ['A1', 'B'] }]));
      expect(corrected).toMatchObject({ inserted: 0, updated: 1, unchanged: 0, rejected: [] });
      expect((await sql(`SELECT licence_classes, revocation_reason FROM documents.integrated_documents WHERE number = $1`, [number]))[0]).toEqual({ licence_classes: ['A1', 'B'], revocation_reason: 'Tước bằng' });
      const reissued = await importIntegratedDocuments(db(), jsonl([{ ...row, issuedOn: '2024-08-15', expiresOn: '2034-08-15', licenceClasses: ['A1', 'B', 'C1'] }]));
      expect(reissued).toMatchObject({ updated: 1, rejected: [] });
      expect((await sql(`SELECT issued_on::text, revoked_at FROM documents.integrated_documents WHERE number = $1`, [number]))[0]).toEqual({ issued_on: '2024-08-15', revoked_at: null });
      const stale = await importIntegratedDocuments(db(), jsonl([row]));
      expect(stale.rejected).toEqual([{ line: 1, reason: `the wallet holds a later issue of DRIVING_LICENCE ${number} (issued on 2024-08-15)` }]);
    });

    it('fills a wallet from the sample file (every row put into one account), the way npm start fills the demo citizen\'s', async () => {
      const demo = randomUUID();
      const sample = await readDocumentsFile(path.join(__dirname, '../../scripts/data/sample-documents.jsonl'));
      expect(await importIntegratedDocuments(db(), sample, { holderAccountId: demo })).toEqual({ total: 9, inserted: 9, updated: 0, unchanged: 0, rejected: [] });
      const { _entities } = await gql(documentsUrl(), ACCOUNT_DOCUMENTS, { r: [{ __typename: 'Account', id: demo }], first: 20 }, await citizen(demo), { asGatewayTo: 'documents' });
      const statuses = _entities[0].documents.edges.map((e: any) => e.node.status);
      expect(statuses.filter((s: string) => s === 'VALID')).toHaveLength(7);
      expect(statuses.filter((s: string) => s !== 'VALID').sort()).toEqual(['EXPIRED', 'REVOKED']);
      const csv = await readDocumentsFile(path.join(__dirname, '../../scripts/data/sample-documents.csv'));
      expect(await importIntegratedDocuments(db(), csv, { holderAccountId: demo })).toMatchObject({ inserted: 0, updated: 0, unchanged: 9, rejected: [] });
    });
  });
});
