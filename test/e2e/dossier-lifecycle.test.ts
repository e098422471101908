import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../subgraphs/shared/src';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

/** Every step of a dossier's life, through the gateway, with real PostgreSQL and Redis behind it. */

const POINT = '001-BC-0001';
const OTHER_POINT = '002-BC-0001';
// GPLX_EXCHANGE is handled by CDB (Cục Đường bộ).
const SERVICE = 'GPLX_EXCHANGE';

const FIELDS = 'id status channel receivedAt receivedPostalPointCode agencyCode applicant { id } applicantWithoutAccount { fullName personalIdNumber } cashOnDelivery';
const SUBMIT = `mutation($input: SubmitDossierInput!) { submitDossier(input: $input) { ${FIELDS} } }`;
const PAPER = `mutation($input: CounterDossierInput!) { receivePaperDossier(input: $input) { ${FIELDS} } }`;
const ON_BEHALF = `mutation($input: CounterDossierInput!) { submitDossierOnBehalf(input: $input) { ${FIELDS} } }`;
const HISTORY = `query($id: ID!) { dossier(id: $id) { status history { fromStatus toStatus actorRole reason actor { id } } } }`;

type Step = 'receiveDossier' | 'startProcessing' | 'requestSupplement' | 'supplyDossier' | 'markResultReady' | 'returnResult' | 'rejectDossier' | 'cancelDossier';
const STEP: Record<Step, string> = {
  receiveDossier: `mutation($id: ID!, $reason: String) { receiveDossier(id: $id, reason: $reason) { id status } }`,
  startProcessing: `mutation($id: ID!, $reason: String) { startProcessing(id: $id, reason: $reason) { id status } }`,
  requestSupplement: `mutation($id: ID!, $reason: String!) { requestSupplement(id: $id, reason: $reason) { id status } }`,
  supplyDossier: `mutation($id: ID!, $reason: String!) { supplyDossier(id: $id, reason: $reason) { id status } }`,
  markResultReady: `mutation($id: ID!, $reason: String) { markResultReady(input: { dossierId: $id, reason: $reason }) { id status } }`,
  returnResult: `mutation($id: ID!, $reason: String) { returnResult(id: $id, reason: $reason) { id status } }`,
  rejectDossier: `mutation($id: ID!, $reason: String!) { rejectDossier(id: $id, reason: $reason) { id status } }`,
  cancelDossier: `mutation($id: ID!, $reason: String) { cancelDossier(id: $id, reason: $reason) { id status } }`,
};
const STEPS = Object.keys(STEP) as Step[];
/** The legal steps from each status (the transition table, written out independently of the code). */
const LEGAL: Record<string, Partial<Record<Step, string>>> = {
  SUBMITTED: { receiveDossier: 'RECEIVED', rejectDossier: 'REJECTED', cancelDossier: 'CANCELLED' },
  RECEIVED: { startProcessing: 'IN_PROCESSING', rejectDossier: 'REJECTED', cancelDossier: 'CANCELLED' },
  IN_PROCESSING: { requestSupplement: 'NEEDS_SUPPLEMENT', markResultReady: 'RESULT_READY', rejectDossier: 'REJECTED' },
  NEEDS_SUPPLEMENT: { supplyDossier: 'IN_PROCESSING' },
  RESULT_READY: { returnResult: 'RESULT_RETURNED' },
  RESULT_RETURNED: {}, REJECTED: {}, CANCELLED: {},
};

const randomDigits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const code = (response: GraphQLResponse<any>) => response.errors?.[0]?.extensions?.code ?? 'OK';

describe('the dossier life cycle', () => {
  const stack = useStack({ postalPoints: 50 });
  const applicantId = randomUUID();
  const actors: Record<string, TestTokenClaims> = {
    applicant: { role: Role.CITIZEN, accountId: applicantId, level: 1 },
    'another citizen': { role: Role.CITIZEN, accountId: randomUUID(), level: 2 },
    'a clerk of the receiving point': { role: Role.POSTAL_CLERK, level: 2, postalPointCode: POINT },
    'a clerk of another point': { role: Role.POSTAL_CLERK, level: 2, postalPointCode: OTHER_POINT },
    'an official of the agency': { role: Role.OFFICIAL, level: 2, agencyCode: 'CDB' },
    'an official of the agency at level 1': { role: Role.OFFICIAL, level: 1, agencyCode: 'CDB' },
    'an official of another agency': { role: Role.OFFICIAL, level: 2, agencyCode: 'C06' },
    'an administrator': { role: Role.ADMINISTRATOR, level: 2 },
  };
  const tokens: Record<string, string> = {};
  const as = (actor: string) => tokens[actor];
  const step = (name: Step, id: string, actor: string, reason: string | null = 'Lý do ghi vào lịch sử') => post(stack.gatewayUrl, STEP[name], { id, reason }, as(actor));

  beforeAll(async () => {
    for (const [name, claims] of Object.entries(actors)) tokens[name] = await stack.tokenFor({ accountId: randomUUID(), ...claims });
  });

  /** A dossier the clerk of POINT submitted online for the applicant: SUBMITTED, and known to that postal point. */
  async function aDossier(input: Record<string, unknown> = {}): Promise<string> {
    const { submitDossierOnBehalf } = await gql(stack.gatewayUrl, ON_BEHALF,
      { input: { serviceCode: SERVICE, acceptDeclaration: true, applicantAccountId: applicantId, ...input } }, as('a clerk of the receiving point'));
    return submitDossierOnBehalf.id;
  }

  /** A dossier brought to `status` by the actors allowed to. */
  async function aDossierIn(status: string): Promise<string> {
    const id = await aDossier();
    const paths: Record<string, [Step, string][]> = {
      SUBMITTED: [],
      RECEIVED: [['receiveDossier', 'an official of the agency']],
      IN_PROCESSING: [['receiveDossier', 'an official of the agency'], ['startProcessing', 'an official of the agency']],
      NEEDS_SUPPLEMENT: [['receiveDossier', 'an official of the agency'], ['startProcessing', 'an official of the agency'], ['requestSupplement', 'an official of the agency']],
      RESULT_READY: [['receiveDossier', 'an official of the agency'], ['startProcessing', 'an official of the agency'], ['markResultReady', 'an official of the agency']],
      RESULT_RETURNED: [['receiveDossier', 'an official of the agency'], ['startProcessing', 'an official of the agency'], ['markResultReady', 'an official of the agency'], ['returnResult', 'an official of the agency']],
      REJECTED: [['rejectDossier', 'an official of the agency']],
      CANCELLED: [['cancelDossier', 'applicant']],
    };
    for (const [name, actor] of paths[status]) expect(code(await step(name, id, actor))).toBe('OK');
    return id;
  }

  it('takes an online dossier from submission to its result returned, recording who, when and why at every step', async () => {
    const { submitDossier } = await gql(stack.gatewayUrl, SUBMIT, { input: { serviceCode: SERVICE, acceptDeclaration: true } }, as('applicant'));
    expect(submitDossier).toMatchObject({ status: 'SUBMITTED', channel: 'ONLINE', receivedAt: null, agencyCode: 'CDB', applicant: { id: applicantId } });
    const id = submitDossier.id;
    const official = 'an official of the agency';
    const received = await step('receiveDossier', id, official, null);
    expect(received.data?.receiveDossier.status).toBe('RECEIVED');
    expect(code(await step('startProcessing', id, official, null))).toBe('OK');
    expect(code(await step('requestSupplement', id, official, 'Thiếu ảnh chân dung 3x4'))).toBe('OK');
    expect(code(await step('supplyDossier', id, 'applicant', 'Đã bổ sung ảnh'))).toBe('OK');
    expect(code(await step('markResultReady', id, official, null))).toBe('OK');
    expect(code(await step('returnResult', id, official, null))).toBe('OK');

    const { dossier } = await gql(stack.gatewayUrl, HISTORY, { id }, as('applicant'));
    expect(dossier.status).toBe('RESULT_RETURNED');
    expect(dossier.history.map((h: any) => [h.fromStatus, h.toStatus, h.actorRole, h.reason])).toEqual([
      [null, 'SUBMITTED', 'CITIZEN', null],
      ['SUBMITTED', 'RECEIVED', 'OFFICIAL', null],
      ['RECEIVED', 'IN_PROCESSING', 'OFFICIAL', null],
      ['IN_PROCESSING', 'NEEDS_SUPPLEMENT', 'OFFICIAL', 'Thiếu ảnh chân dung 3x4'],
      ['NEEDS_SUPPLEMENT', 'IN_PROCESSING', 'CITIZEN', 'Đã bổ sung ảnh'],
      ['IN_PROCESSING', 'RESULT_READY', 'OFFICIAL', null],
      ['RESULT_READY', 'RESULT_RETURNED', 'OFFICIAL', null],
    ]);
    const [stored] = await stack.documents.database.dataSource.query(`SELECT received_at IS NOT NULL AS received, declared_at IS NOT NULL AS declared FROM documents.dossiers WHERE id = $1`, [id]);
    expect(stored).toEqual({ received: true, declared: true });
    // The history is append-only in the database too.
    await expect(stack.documents.database.dataSource.query(`UPDATE documents.dossier_events SET reason = 'x' WHERE dossier_id = $1`, [id])).rejects.toThrow(/append-only/);
  });

  describe('every status against every step', () => {
    const allowedActor = (name: Step) => (name === 'supplyDossier' || name === 'cancelDossier' ? 'applicant' : 'an official of the agency');
    for (const status of Object.keys(LEGAL)) {
      it(`from ${status}: ${Object.keys(LEGAL[status]).join(', ') || 'nothing'} allowed, every other step CONFLICT and nothing changed`, async () => {
        for (const name of STEPS) {
          const id = await aDossierIn(status);
          const response = await step(name, id, allowedActor(name));
          const expected = LEGAL[status][name];
          if (expected) {
            expect(code(response), `${name} from ${status}`).toBe('OK');
            expect(response.data[name].status).toBe(expected);
          } else {
            expect(code(response), `${name} from ${status}`).toBe('CONFLICT');
            expect(response.errors![0].extensions).toMatchObject({ status });
            expect((await gql(stack.gatewayUrl, HISTORY, { id }, as('applicant'))).dossier.status).toBe(status);
          }
        }
      });
    }
  });

  describe('who may take each step', () => {
    // NOT_FOUND: the caller may not even see the dossier. FORBIDDEN: they see it but may not do this.
    const MATRIX: Record<Step, { from: string; allowed: string[] }> = {
      receiveDossier: { from: 'SUBMITTED', allowed: ['an official of the agency'] },
      startProcessing: { from: 'RECEIVED', allowed: ['an official of the agency'] },
      requestSupplement: { from: 'IN_PROCESSING', allowed: ['an official of the agency'] },
      supplyDossier: { from: 'NEEDS_SUPPLEMENT', allowed: ['applicant'] },
      markResultReady: { from: 'IN_PROCESSING', allowed: ['an official of the agency'] },
      returnResult: { from: 'RESULT_READY', allowed: ['an official of the agency', 'a clerk of the receiving point'] },
      rejectDossier: { from: 'RECEIVED', allowed: ['an official of the agency'] },
      cancelDossier: { from: 'SUBMITTED', allowed: ['applicant'] },
    };
    const UNSEEING = ['another citizen', 'a clerk of another point', 'an official of another agency'];
    for (const name of STEPS) {
      const { from, allowed } = MATRIX[name];
      it(`${name}: ${allowed.join(' or ')}; nobody else`, async () => {
        for (const actor of Object.keys(actors)) {
          const id = await aDossierIn(from);
          const expected = allowed.includes(actor) ? 'OK' : UNSEEING.includes(actor) ? 'NOT_FOUND' : 'FORBIDDEN';
          expect(code(await step(name, id, actor)), `${name} by ${actor}`).toBe(expected);
        }
      });
    }

    it('refuses anonymous callers and ids that are not dossiers', async () => {
      const id = await aDossier();
      expect(code(await post(stack.gatewayUrl, STEP.receiveDossier, { id }))).toBe('UNAUTHENTICATED');
      expect(code(await step('receiveDossier', randomUUID(), 'an official of the agency'))).toBe('NOT_FOUND');
      expect(code(await step('receiveDossier', 'not-an-id', 'an official of the agency'))).toBe('NOT_FOUND');
    });

    it('needs a reason to ask for a supplement or to reject, and keeps it within bounds', async () => {
      const id = await aDossierIn('IN_PROCESSING');
      const blank = await step('requestSupplement', id, 'an official of the agency', '   ');
      expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'reason' }] });
      expect(code(await step('rejectDossier', id, 'an official of the agency', 'x'.repeat(1001)))).toBe('BAD_USER_INPUT');
      expect((await gql(stack.gatewayUrl, HISTORY, { id }, as('applicant'))).dossier.status).toBe('IN_PROCESSING');
    });
  });

  it('lets only one of ten parallel identical steps through; the others are CONFLICT', async () => {
    const id = await aDossierIn('RECEIVED');
    const answers = await Promise.all(Array.from({ length: 10 }, () => step('startProcessing', id, 'an official of the agency')));
    expect(answers.map(code).sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
    const { dossier } = await gql(stack.gatewayUrl, HISTORY, { id }, as('applicant'));
    expect(dossier.history.filter((h: any) => h.toStatus === 'IN_PROCESSING')).toHaveLength(1);
  });

  describe('at the postal counter', () => {
    it('takes in a paper dossier of a person without an account, received at once, seen only by the point and the agency', async () => {
      const { receivePaperDossier: paper } = await gql(stack.gatewayUrl, PAPER, { input: {
        serviceCode: SERVICE, acceptDeclaration: true, deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: 'Số 5 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh',
        applicantWithoutAccount: { fullName: '  Trần   Thị Bích ', personalIdNumber: '079190001234' },
      } }, as('a clerk of the receiving point'));
      expect(paper).toMatchObject({
        status: 'RECEIVED', channel: 'POSTAL_POINT', receivedPostalPointCode: POINT, applicant: null,
        applicantWithoutAccount: { fullName: 'Trần Thị Bích', personalIdNumber: '079190001234' },
      });
      expect(paper.receivedAt).not.toBeNull();
      const see = async (actor: string) => (await gql(stack.gatewayUrl, `query($id: ID!) { dossier(id: $id) { id } }`, { id: paper.id }, as(actor))).dossier?.id ?? null;
      expect(await see('a clerk of the receiving point')).toBe(paper.id);
      expect(await see('an official of the agency')).toBe(paper.id);
      expect(await see('a clerk of another point')).toBeNull();
      expect(await see('applicant')).toBeNull();

      // The agency processes it; the result goes out by post with an amount to collect at the door; the point hands it over.
      expect(code(await step('startProcessing', paper.id, 'an official of the agency'))).toBe('OK');
      const ready = await post(stack.gatewayUrl, `mutation($id: ID!) { markResultReady(input: { dossierId: $id, cashOnDelivery: "35000" }) { status cashOnDelivery } }`, { id: paper.id }, as('an official of the agency'));
      expect(ready.data?.markResultReady).toEqual({ status: 'RESULT_READY', cashOnDelivery: '35000' });
      expect(code(await step('returnResult', paper.id, 'a clerk of the receiving point'))).toBe('OK');
    });

    it('refuses cash on delivery for a result that is picked up, and amounts that are not positive', async () => {
      const id = await aDossierIn('IN_PROCESSING');
      const markWith = (amount: string) => post(stack.gatewayUrl, `mutation($id: ID!, $a: Money) { markResultReady(input: { dossierId: $id, cashOnDelivery: $a }) { status } }`, { id, a: amount }, as('an official of the agency'));
      expect((await markWith('35000')).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'cashOnDelivery' }] });
      expect(code(await markWith('0'))).toBe('BAD_USER_INPUT');
      expect((await gql(stack.gatewayUrl, HISTORY, { id }, as('applicant'))).dossier.status).toBe('IN_PROCESSING');
    });

    it('submits online on an account holder\'s behalf, and refuses what a counter cannot do', async () => {
      const id = await aDossier();
      const { dossier } = await gql(stack.gatewayUrl, `query($id: ID!) { dossier(id: $id) { status channel applicant { id } receivedPostalPointCode history { actorRole } } }`, { id }, as('applicant'));
      expect(dossier).toEqual({ status: 'SUBMITTED', channel: 'ONLINE', applicant: { id: applicantId }, receivedPostalPointCode: POINT, history: [{ actorRole: 'POSTAL_CLERK' }] });

      const attempt = (query: string, input: Record<string, unknown>, actor = 'a clerk of the receiving point') =>
        post(stack.gatewayUrl, query, { input: { serviceCode: SERVICE, acceptDeclaration: true, ...input } }, as(actor));
      const without = { applicantWithoutAccount: { fullName: 'Lê Văn Tám', personalIdNumber: '001090001111' } };
      expect((await attempt(ON_BEHALF, without)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'applicantWithoutAccount' }] });
      expect((await attempt(PAPER, { applicantAccountId: applicantId, ...without })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'applicantAccountId' }] });
      expect((await attempt(PAPER, { applicantWithoutAccount: { fullName: 'Lê Văn Tám', personalIdNumber: '12345' } })).errors?.[0].extensions)
        .toMatchObject({ problems: [{ field: 'applicantWithoutAccount.personalIdNumber' }] });
      expect((await attempt(PAPER, { applicantAccountId: applicantId, acceptDeclaration: false })).errors?.[0].extensions).toMatchObject({ problems: [{ field: 'acceptDeclaration' }] });
      for (const actor of ['applicant', 'an official of the agency', 'an administrator']) expect(code(await attempt(PAPER, { applicantAccountId: applicantId }, actor)), actor).toBe('FORBIDDEN');
      const level1Clerk = await stack.tokenFor({ role: Role.POSTAL_CLERK, level: 1, postalPointCode: POINT });
      expect(code(await post(stack.gatewayUrl, PAPER, { input: { serviceCode: SERVICE, acceptDeclaration: true, applicantAccountId: applicantId } }, level1Clerk))).toBe('FORBIDDEN');
    });
  });

  describe('documents by reference', () => {
    const ISSUE = `mutation($input: IssueIntegratedDocumentInput!) { issueIntegratedDocument(input: $input) { id } }`;
    const aDocument = async (holderAccountId: string, type = 'HEALTH_INSURANCE_CARD', agencyCode = 'BHXH') => (await gql(stack.gatewayUrl, ISSUE, { input: {
      holderAccountId, type, number: randomDigits(10), issuedOn: '2024-01-15', expiresOn: '2030-01-14',
    } }, await stack.tokenFor({ role: Role.OFFICIAL, level: 2, agencyCode }))).issueIntegratedDocument.id as string;
    const ATTACHED = `query($id: ID!) { dossier(id: $id) { attachments { id type } } }`;

    it('attaches the applicant\'s own documents at submission and with a supplement, never another person\'s', async () => {
      const [card, another] = [await aDocument(applicantId), await aDocument(applicantId)];
      const strangers = await aDocument(randomUUID());
      const submit = (ids: string[]) => post(stack.gatewayUrl, SUBMIT, { input: { serviceCode: SERVICE, acceptDeclaration: true, attachmentDocumentIds: ids } }, as('applicant'));

      const refused = await submit([card, strangers]);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'attachmentDocumentIds', message: expect.stringContaining(strangers) }] });
      expect(code(await submit(Array.from({ length: 11 }, () => randomUUID())))).toBe('BAD_USER_INPUT');

      const { data } = await submit([card, card]);
      const id = data.submitDossier.id;
      expect((await gql(stack.gatewayUrl, ATTACHED, { id }, as('an official of the agency'))).dossier.attachments).toEqual([{ id: card, type: 'HEALTH_INSURANCE_CARD' }]);

      for (const [name, actor] of [['receiveDossier', 'an official of the agency'], ['startProcessing', 'an official of the agency'], ['requestSupplement', 'an official of the agency']] as [Step, string][]) {
        expect(code(await step(name, id, actor))).toBe('OK');
      }
      const supply = (ids: string[]) => post(stack.gatewayUrl, `mutation($id: ID!, $ids: [ID!]) { supplyDossier(id: $id, reason: "Bổ sung thẻ", attachmentDocumentIds: $ids) { status } }`, { id, ids }, as('applicant'));
      expect(code(await supply([strangers]))).toBe('BAD_USER_INPUT');
      expect((await supply([another, card])).data?.supplyDossier.status).toBe('IN_PROCESSING');
      const { dossier } = await gql(stack.gatewayUrl, ATTACHED, { id }, as('applicant'));
      expect(dossier.attachments.map((a: any) => a.id).sort()).toEqual([card, another].sort());
    });

    it('puts a result that is a document into the applicant\'s wallet when it is returned, not before', async () => {
      const id = await aDossierIn('IN_PROCESSING');
      const mark = (resultDocument: Record<string, unknown>) => post(stack.gatewayUrl, `mutation($id: ID!, $doc: ResultDocumentInput) { markResultReady(input: { dossierId: $id, resultDocument: $doc }) { status } }`,
        { id, doc: resultDocument }, as('an official of the agency'));
      const number = randomDigits(12);
      // CDB issues driving licences, not passports; a licence needs a class.
      expect((await mark({ type: 'PASSPORT', number: 'C1234567', issuedOn: '2026-01-05' })).errors?.[0].extensions).toMatchObject({ problems: [{ field: 'resultDocument.type' }] });
      expect((await mark({ type: 'DRIVING_LICENCE', number, issuedOn: '2026-01-05' })).errors?.[0].extensions).toMatchObject({ problems: [{ field: 'resultDocument.licenceClasses' }] });
      expect((await mark({ type: 'DRIVING_LICENCE', number, issuedOn: '2026-01-05', expiresOn: '2036-01-05', licenceClasses: ['B'] })).data?.markResultReady.status).toBe('RESULT_READY');
      const inWallet = () => stack.documents.database.dataSource.query(`SELECT holder_account_id, licence_classes FROM documents.integrated_documents WHERE number = $1`, [number]);
      expect(await inWallet()).toEqual([]);

      expect(code(await step('returnResult', id, 'a clerk of the receiving point'))).toBe('OK');
      expect(await inWallet()).toEqual([{ holder_account_id: applicantId, licence_classes: ['B'] }]);
      const { dossier } = await gql(stack.gatewayUrl, `query($id: ID!) { dossier(id: $id) { resultDocument { type number licenceClasses holderAccountId } } }`, { id }, as('applicant'));
      expect(dossier.resultDocument).toEqual({ type: 'DRIVING_LICENCE', number, licenceClasses: ['B'], holderAccountId: applicantId });
    });
  });

  describe('lists with cursors', () => {
    const LIST = `query($agency: String, $point: String, $status: DossierStatus, $first: Int, $after: String) {
      dossiers(agencyCode: $agency, postalPointCode: $point, status: $status, first: $first, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }`;
    async function all(actor: string, variables: Record<string, unknown>): Promise<string[]> {
      const ids: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 100; guard++) {
        const { dossiers }: any = await gql(stack.gatewayUrl, LIST, { ...variables, first: 3, after }, as(actor));
        ids.push(...dossiers.edges.map((e: any) => e.node.id));
        if (!dossiers.pageInfo.hasNextPage) return ids;
        after = dossiers.pageInfo.endCursor;
      }
      throw new Error('no last page');
    }

    it('gives an agency\'s officials its dossiers, of one status or all, newest first, and no one else', async () => {
      const mine = [await aDossierIn('RECEIVED'), await aDossierIn('RECEIVED'), await aDossierIn('SUBMITTED')];
      const inDb: { id: string; status: string }[] = await stack.documents.database.dataSource.query(
        `SELECT id, status FROM documents.dossiers WHERE agency_code = 'CDB' ORDER BY submitted_at DESC, id DESC`);
      expect(await all('an official of the agency', { agency: 'CDB' })).toEqual(inDb.map((d) => d.id));
      expect(await all('an official of the agency', { agency: 'cdb', status: 'RECEIVED' })).toEqual(inDb.filter((d) => d.status === 'RECEIVED').map((d) => d.id));
      expect(inDb.map((d) => d.id)).toEqual(expect.arrayContaining(mine));
      expect(await all('an administrator', { agency: 'CDB' })).toHaveLength(inDb.length);
      for (const actor of ['an official of another agency', 'an official of the agency at level 1', 'a clerk of the receiving point', 'applicant']) {
        expect(code(await post(stack.gatewayUrl, LIST, { agency: 'CDB' }, as(actor))), actor).toBe('FORBIDDEN');
      }
    });

    it('gives a postal point\'s clerks the dossiers it took in, and asks for exactly one of agency and point', async () => {
      const inDb: { id: string }[] = await stack.documents.database.dataSource.query(
        `SELECT id FROM documents.dossiers WHERE received_postal_point_code = $1 ORDER BY submitted_at DESC, id DESC`, [POINT]);
      expect(inDb.length).toBeGreaterThan(3);
      expect(await all('a clerk of the receiving point', { point: POINT })).toEqual(inDb.map((d) => d.id));
      expect(code(await post(stack.gatewayUrl, LIST, { point: POINT }, as('a clerk of another point')))).toBe('FORBIDDEN');
      expect(code(await post(stack.gatewayUrl, LIST, {}, as('an administrator')))).toBe('BAD_USER_INPUT');
      expect(code(await post(stack.gatewayUrl, LIST, { agency: 'CDB', point: POINT }, as('an administrator')))).toBe('BAD_USER_INPUT');
    });
  });

  describe('appointments', () => {
    const WINDOW = `query($code: String!) { publicService(code: $code) { processingDays appointmentWindow { earliest latest } } }`;
    const submitOn = (appointmentDate: string) => post(stack.gatewayUrl, SUBMIT, { input: { serviceCode: SERVICE, acceptDeclaration: true, appointmentDate } }, as('applicant'));
    const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();
    const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

    it('takes the earliest working day when none is chosen, and refuses weekends, holidays and days outside the window', async () => {
      const { publicService } = await gql(stack.gatewayUrl, WINDOW, { code: SERVICE });
      const { earliest, latest } = publicService.appointmentWindow;
      expect(publicService.processingDays).toBe(5);
      expect([0, 6]).not.toContain(weekday(earliest));
      const { submitDossier } = await gql(stack.gatewayUrl, `mutation { submitDossier(input: { serviceCode: "${SERVICE}", acceptDeclaration: true }) { appointmentDate } }`, {}, as('applicant'));
      expect(submitDossier.appointmentDate).toBe(earliest);

      let saturday = earliest;
      while (weekday(saturday) !== 6) saturday = plusDays(saturday, 1);
      expect((await submitOn(saturday)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'appointmentDate', message: expect.stringMatching(/weekend/) }] });
      expect((await submitOn(plusDays(earliest, -1))).errors?.[0].extensions).toMatchObject({ problems: [{ field: 'appointmentDate' }] });
      expect((await submitOn(plusDays(latest, 1))).errors?.[0].extensions).toMatchObject({ problems: [{ field: 'appointmentDate' }] });
      expect(code(await submitOn(latest))).toBe('OK');
    });

    it('counts a public holiday out of the processing time and refuses it as an appointment', async () => {
      const before = (await gql(stack.gatewayUrl, WINDOW, { code: SERVICE })).publicService.appointmentWindow;
      // The earliest day becomes a holiday: the processing time ends one working day later, and that day is refused.
      await stack.documents.database.dataSource.query(`INSERT INTO documents.public_holidays (day, name) VALUES ($1, 'Ngày nghỉ thử nghiệm')`, [before.earliest]);
      const after = (await gql(stack.gatewayUrl, WINDOW, { code: SERVICE })).publicService.appointmentWindow;
      expect(after.earliest > before.earliest).toBe(true);
      expect([0, 6]).not.toContain(weekday(after.earliest));
      const refused = await submitOn(before.earliest);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'appointmentDate' }] });
      expect(code(await submitOn(after.earliest))).toBe('OK');
    });
  });
});
