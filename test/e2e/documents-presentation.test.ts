import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../subgraphs/shared/src';
import { aLoggedInCitizen, aPersonalIdNumber } from '../kit/builders';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

/**
 * A holder presents integrated documents (the documents subgraph's wallet) through identity: with an identity QR
 * code (by id) and to a partner bank through consent (by type). Identity hands over references; the gateway
 * resolves them in documents, which shows a document only for its real holder.
 */

const ISSUE = `mutation($input: IssueIntegratedDocumentInput!) { issueIntegratedDocument(input: $input) { id type number status } }`;
const REVOKE_DOCUMENT = `mutation($id: ID!, $reason: String!) { revokeIntegratedDocument(id: $id, reason: $reason) { id status } }`;
const WALLET = `{ me { documents(first: 20) { edges { node { id type } } } } }`;
const CREATE_QR = `mutation($share: [IdentityAttribute!], $documentIds: [ID!]) {
  createIdentityQr(share: $share, documentIds: $documentIds) { payload sharedAttributes sharedDocumentIds }
}`;
const VERIFY_QR = `mutation($payload: String!) {
  verifyIdentityQr(payload: $payload) {
    fullName level sharedAttributes
    documents { id holderAccountId type number status issuedOn expiresOn licenceClasses backedByIssuer issuer { code name } }
  }
}`;
const ACCESS_LOG = `{ me { accessLog(first: 20) { edges { node { action accessorName outcome attributes documentIds documentTypes } } } } }`;

const REGISTER_PARTNER = `mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { clientId clientSecret partner { id allowedAttributes allowedDocumentTypes } } }`;
const ISSUE_PARTNER_TOKEN = `mutation($id: String!, $secret: String!) { issuePartnerToken(clientId: $id, clientSecret: $secret) { accessToken } }`;
const GRANT = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id status attributes documentTypes } }`;
const MY_CONSENTS = `{ me { consents(first: 10) { edges { node { id documentTypes } } } } }`;
const VERIFY_IDENTITY = `mutation($input: VerifyIdentityInput!) {
  verifyIdentity(input: $input) {
    checks { attribute result } level status
    documents { holderAccountId type documents { id type number status expiresOn licenceClasses issuer { code name } } }
  }
}`;

const PURPOSE = 'Mở tài khoản thanh toán';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const digits = (n: number) => Array.from({ length: n }, () => randomInt(0, 10)).join('');
const codes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);
const OFFICIAL: TestTokenClaims = { role: Role.OFFICIAL, level: 2, agencyCode: 'C06' };
const CLERK: TestTokenClaims = { role: Role.POSTAL_CLERK, level: 2, postalPointCode: '001-BC-0001' };

interface Holder { accountId: string; token: string; input: Record<string, unknown> }
interface Document { id: string; type: string; number: string; status: string }

/** A citizen who registered through the gateway; raised to level 2 in SQL when asked (activation is tested elsewhere). */
async function aHolder(stack: Stack, level: 1 | 2 = 2): Promise<Holder> {
  const citizen = await aLoggedInCitizen(stack);
  if (level === 1) return citizen;
  await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [citizen.accountId]);
  await stack.flushCache();
  return { ...citizen, token: await stack.tokenFor({ role: Role.CITIZEN, accountId: citizen.accountId, level: 2 }) };
}

/** Issues a document into the holder's wallet as a level-2 official of the agency that issues its type. */
async function issue(stack: Stack, holder: Holder, kind: 'DRIVING_LICENCE' | 'HEALTH_INSURANCE_CARD' | 'CITIZEN_ID_CARD', dates: { issuedOn?: string; expiresOn?: string } = {}): Promise<Document> {
  const facts = {
    DRIVING_LICENCE: { agencyCode: 'CDB', number: digits(12), licenceClasses: ['A1', 'B'] },
    HEALTH_INSURANCE_CARD: { agencyCode: 'BHXH', number: digits(10), licenceClasses: undefined },
    CITIZEN_ID_CARD: { agencyCode: 'C06', number: digits(12), licenceClasses: undefined },
  }[kind];
  const input = {
    holderAccountId: holder.accountId, type: kind, number: facts.number, licenceClasses: facts.licenceClasses,
    issuedOn: dates.issuedOn ?? '2024-05-02', expiresOn: dates.expiresOn ?? '2034-05-02',
  };
  const token = await stack.tokenFor({ role: Role.OFFICIAL, level: 2, agencyCode: facts.agencyCode });
  return (await gql(stack.gatewayUrl, ISSUE, { input }, token)).issueIntegratedDocument;
}

async function makeQr(stack: Stack, holder: Holder, documentIds?: string[], share?: string[]) {
  return (await gql(stack.gatewayUrl, CREATE_QR, { documentIds, share }, holder.token)).createIdentityQr as { payload: string; sharedAttributes: string[]; sharedDocumentIds: string[] };
}

async function scan(stack: Stack, payload: string, claims: TestTokenClaims = OFFICIAL) {
  return post(stack.gatewayUrl, VERIFY_QR, { payload }, await stack.tokenFor(claims));
}

const accessLogOf = async (stack: Stack, holder: Holder) => (await gql(stack.gatewayUrl, ACCESS_LOG, {}, holder.token)).me.accessLog.edges.map((e: any) => e.node);

interface Partner { id: string; token: string }

async function aPartner(stack: Stack, allowedDocumentTypes?: string[]): Promise<Partner> {
  const input = { name: `Ngân hàng Giấy tờ ${randomBytes(3).toString('hex')}`, purpose: 'eKYC khi mở tài khoản', allowedAttributes: ['FULL_NAME', 'DATE_OF_BIRTH'], allowedDocumentTypes };
  const { registerPartner } = await gql(stack.gatewayUrl, REGISTER_PARTNER, { input }, await stack.tokenFor({ role: Role.ADMINISTRATOR }));
  const { issuePartnerToken } = await gql(stack.gatewayUrl, ISSUE_PARTNER_TOKEN, { id: registerPartner.clientId, secret: registerPartner.clientSecret });
  return { id: registerPartner.partner.id, token: issuePartnerToken.accessToken };
}

const grant = (stack: Stack, holder: Holder, partner: Partner, documentTypes?: string[]) =>
  post(stack.gatewayUrl, GRANT, { input: { partnerId: partner.id, attributes: ['FULL_NAME'], documentTypes, purpose: PURPOSE, expiresAt: inDays(30) } }, holder.token);

const check = (stack: Stack, partner: Partner, holder: Holder) =>
  post(stack.gatewayUrl, VERIFY_IDENTITY, { input: { personalIdNumber: holder.input.personalIdNumber, fullName: holder.input.fullName, purpose: PURPOSE } }, partner.token);

describe('integrated documents presented through identity', () => {
  const stack = useStack();

  describe('with an identity QR code', () => {
    let holder: Holder;
    let licence: Document;
    let card: Document;

    beforeAll(async () => {
      holder = await aHolder(stack);
      licence = await issue(stack, holder, 'DRIVING_LICENCE');
      card = await issue(stack, holder, 'HEALTH_INSURANCE_CARD');
    });

    it('shows the scanner both documents the holder chose, with their facts from the documents subgraph, and logs which', async () => {
      const wallet = (await gql(stack.gatewayUrl, WALLET, {}, holder.token)).me.documents.edges.map((e: any) => e.node.id);
      expect(wallet).toEqual(expect.arrayContaining([licence.id, card.id]));

      const code = await makeQr(stack, holder, [card.id, licence.id]);
      expect(code.sharedDocumentIds).toEqual([card.id, licence.id]);
      const response = await scan(stack, code.payload);
      expect(response.errors).toBeUndefined();
      const shown = (response.data as any).verifyIdentityQr;
      expect(shown).toMatchObject({ fullName: holder.input.fullName, level: 'LEVEL_2', sharedAttributes: ['FULL_NAME', 'DATE_OF_BIRTH'] });
      expect(shown.documents).toEqual([
        {
          id: card.id, holderAccountId: holder.accountId, type: 'HEALTH_INSURANCE_CARD', number: card.number, status: 'VALID', issuedOn: '2024-05-02', expiresOn: '2034-05-02',
          licenceClasses: [], backedByIssuer: true, issuer: { code: 'BHXH', name: 'Bảo hiểm xã hội Việt Nam' },
        },
        {
          id: licence.id, holderAccountId: holder.accountId, type: 'DRIVING_LICENCE', number: licence.number, status: 'VALID', issuedOn: '2024-05-02', expiresOn: '2034-05-02',
          licenceClasses: ['A1', 'B'], backedByIssuer: true, issuer: { code: 'CDB', name: 'Cục Đường bộ Việt Nam' },
        },
      ]);

      const [entry] = await accessLogOf(stack, holder);
      expect(entry).toEqual({
        action: 'VERIFY_QR', accessorName: 'Official of C06', outcome: 'ALLOWED', attributes: ['FULL_NAME', 'DATE_OF_BIRTH'], documentIds: [card.id, licence.id], documentTypes: [],
      });
    });

    it('shows nothing of a document that is not the holder\'s: its entry is null, the holder\'s own still shown, the code used once', async () => {
      const someoneElse = await aHolder(stack);
      const theirs = await issue(stack, someoneElse, 'CITIZEN_ID_CARD');
      const code = await makeQr(stack, holder, [theirs.id, licence.id]);
      const response = await scan(stack, code.payload, CLERK);
      expect(response.errors).toBeUndefined();
      expect((response.data as any).verifyIdentityQr.documents.map((d: Document | null) => d && d.id)).toEqual([null, licence.id]);
      expect(JSON.stringify(response)).not.toContain(theirs.number);
      // An id of no document at all reads the same.
      const unknown = await scan(stack, (await makeQr(stack, holder, [randomUUID()])).payload);
      expect((unknown.data as any).verifyIdentityQr.documents).toEqual([null]);
      // The other person's document is still theirs to present.
      const own = await scan(stack, (await makeQr(stack, someoneElse, [theirs.id])).payload);
      expect((own.data as any).verifyIdentityQr.documents).toMatchObject([{ id: theirs.id, type: 'CITIZEN_ID_CARD', number: theirs.number, status: 'VALID' }]);
    });

    it('shares no document unless the holder names some', async () => {
      const code = await makeQr(stack, holder, undefined, ['GENDER']);
      expect(code.sharedDocumentIds).toEqual([]);
      const response = await scan(stack, code.payload);
      expect((response.data as any).verifyIdentityQr).toMatchObject({ sharedAttributes: ['FULL_NAME', 'DATE_OF_BIRTH', 'GENDER'], documents: [] });
      expect((await makeQr(stack, holder, [])).sharedDocumentIds).toEqual([]);
    });

    it('shows a document as it stands at the scan: revoked after the code was made, it reads REVOKED', async () => {
      const other = await issue(stack, holder, 'DRIVING_LICENCE');
      const code = await makeQr(stack, holder, [other.id]);
      await gql(stack.gatewayUrl, REVOKE_DOCUMENT, { id: other.id, reason: 'Thu hồi do cấp sai' }, await stack.tokenFor({ role: Role.OFFICIAL, level: 2, agencyCode: 'CDB' }));
      expect((await gql(stack.gatewayUrl, VERIFY_QR, { payload: code.payload }, await stack.tokenFor(OFFICIAL))).verifyIdentityQr.documents)
        .toMatchObject([{ id: other.id, status: 'REVOKED' }]);
    });

    it.each<[string, unknown[]]>([
      ['something that is not an id of the wallet', ['GPLX-123']],
      ['the same document twice', ['11111111-1111-4111-8111-111111111111', '11111111-1111-4111-8111-111111111111']],
      ['six documents', Array.from({ length: 6 }, () => randomUUID())],
    ])('refuses %s (BAD_USER_INPUT on documentIds), making no code', async (_case, documentIds) => {
      const before = await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.qr_codes WHERE account_id = $1`, [holder.accountId]);
      const response = await post(stack.gatewayUrl, CREATE_QR, { documentIds }, holder.token);
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'documentIds' }] });
      expect(await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.qr_codes WHERE account_id = $1`, [holder.accountId])).toEqual(before);
    });

    it('never presents a level-1 holder\'s documents: a level-1 holder makes no code', async () => {
      const levelOne = await aHolder(stack, 1);
      const theirs = await issue(stack, levelOne, 'DRIVING_LICENCE');
      for (const token of [levelOne.token, await stack.tokenFor({ role: Role.CITIZEN, accountId: levelOne.accountId, level: 2 })]) {
        const response = await post(stack.gatewayUrl, CREATE_QR, { documentIds: [theirs.id] }, token);
        expect({ codes: codes(response), data: response.data ?? null }).toEqual({ codes: ['FORBIDDEN'], data: null });
      }
      expect(await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.qr_codes WHERE account_id = $1`, [levelOne.accountId])).toEqual([{ n: 0 }]);
    });
  });

  describe('to a partner bank, through consent', () => {
    let holder: Holder;
    let licence: Document;

    beforeAll(async () => {
      holder = await aHolder(stack);
      licence = await issue(stack, holder, 'DRIVING_LICENCE');
      await issue(stack, holder, 'DRIVING_LICENCE', { issuedOn: '2012-03-01', expiresOn: '2022-03-01' });
      const revoked = await issue(stack, holder, 'DRIVING_LICENCE');
      await gql(stack.gatewayUrl, REVOKE_DOCUMENT, { id: revoked.id, reason: 'Thu hồi do vi phạm' }, await stack.tokenFor({ role: Role.OFFICIAL, level: 2, agencyCode: 'CDB' }));
      await issue(stack, holder, 'HEALTH_INSURANCE_CARD');
      await issue(stack, holder, 'CITIZEN_ID_CARD');
    });

    it('a consent naming DRIVING_LICENCE gives the holder\'s valid driving licences, nothing of other types; the access log says so', async () => {
      const partner = await aPartner(stack, ['DRIVING_LICENCE', 'HEALTH_INSURANCE_CARD']);
      const granted = await grant(stack, holder, partner, ['DRIVING_LICENCE']);
      expect(granted.errors).toBeUndefined();
      expect((granted.data as any).grantConsent).toMatchObject({ status: 'ACTIVE', attributes: ['FULL_NAME'], documentTypes: ['DRIVING_LICENCE'] });

      const response = await check(stack, partner, holder);
      expect(response.errors).toBeUndefined();
      const answer = (response.data as any).verifyIdentity;
      expect(answer).toMatchObject({ level: 'LEVEL_2', status: 'ACTIVE', checks: [{ attribute: 'FULL_NAME', result: 'EXACT' }] });
      expect(answer.documents).toEqual([{
        holderAccountId: holder.accountId, type: 'DRIVING_LICENCE',
        documents: [{ id: licence.id, type: 'DRIVING_LICENCE', number: licence.number, status: 'VALID', expiresOn: '2034-05-02', licenceClasses: ['A1', 'B'], issuer: { code: 'CDB', name: 'Cục Đường bộ Việt Nam' } }],
      }]);
      const [entry] = await accessLogOf(stack, holder);
      expect(entry).toMatchObject({ action: 'VERIFY_IDENTITY', outcome: 'ALLOWED', attributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME'], documentIds: [], documentTypes: ['DRIVING_LICENCE'] });
    });

    it('a consent without document types gives none', async () => {
      const partner = await aPartner(stack, ['DRIVING_LICENCE']);
      expect((await grant(stack, holder, partner)).errors).toBeUndefined();
      const response = await check(stack, partner, holder);
      expect(response.errors).toBeUndefined();
      expect((response.data as any).verifyIdentity.documents).toEqual([]);
      expect((await accessLogOf(stack, holder))[0]).toMatchObject({ outcome: 'ALLOWED', documentTypes: [] });
    });

    it('the consent names a type once and only among those the partner may receive; it reads them back', async () => {
      const partner = await aPartner(stack, ['DRIVING_LICENCE', 'CITIZEN_ID_CARD']);
      const twice = await grant(stack, holder, partner, ['DRIVING_LICENCE', 'DRIVING_LICENCE']);
      expect(twice.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'documentTypes' }] });
      const outside = await grant(stack, holder, partner, ['DRIVING_LICENCE', 'PASSPORT']);
      expect(outside.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'documentTypes' }] });
      const unregistered = await aPartner(stack);
      expect((await grant(stack, holder, unregistered, ['CITIZEN_ID_CARD'])).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'documentTypes' }] });

      const granted = (await grant(stack, holder, partner, ['DRIVING_LICENCE', 'CITIZEN_ID_CARD'])).data as any;
      expect(granted.grantConsent.documentTypes).toEqual(['CITIZEN_ID_CARD', 'DRIVING_LICENCE']);
      const listed = (await gql(stack.gatewayUrl, MY_CONSENTS, {}, holder.token)).me.consents.edges.map((e: any) => e.node);
      expect(listed.find((c: { id: string }) => c.id === granted.grantConsent.id)).toEqual({ id: granted.grantConsent.id, documentTypes: ['CITIZEN_ID_CARD', 'DRIVING_LICENCE'] });
      const answer = (await check(stack, partner, holder)).data as any;
      expect(answer.verifyIdentity.documents.map((d: { type: string; documents: unknown[] }) => [d.type, d.documents.length])).toEqual([['CITIZEN_ID_CARD', 1], ['DRIVING_LICENCE', 1]]);
    });

    it('never presents a level-1 holder\'s documents: the check is refused as any other, revealing nothing', async () => {
      const partner = await aPartner(stack, ['DRIVING_LICENCE']);
      const levelOne = await aHolder(stack, 1);
      const theirs = await issue(stack, levelOne, 'DRIVING_LICENCE');
      expect((await grant(stack, levelOne, partner, ['DRIVING_LICENCE'])).errors).toBeUndefined();
      const refused = await check(stack, partner, levelOne);
      const nobody = await post(stack.gatewayUrl, VERIFY_IDENTITY, { input: { personalIdNumber: aPersonalIdNumber(1990, 'FEMALE', '096'), fullName: 'x', purpose: PURPOSE } }, partner.token);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'IDENTITY_CHECK_REFUSED' });
      expect(refused).toEqual(nobody);
      expect(JSON.stringify(refused)).not.toContain(theirs.number);
      expect((await accessLogOf(stack, levelOne))[0]).toMatchObject({ outcome: 'REFUSED', documentTypes: [] });
    });

    it('gives no documents of a holder who is no longer active, though the check itself answers', async () => {
      const partner = await aPartner(stack, ['DRIVING_LICENCE']);
      const suspended = await aHolder(stack);
      await issue(stack, suspended, 'DRIVING_LICENCE');
      expect((await grant(stack, suspended, partner, ['DRIVING_LICENCE'])).errors).toBeUndefined();
      await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET status = 'SUSPENDED' WHERE id = $1`, [suspended.accountId]);
      await stack.flushCache();
      const response = await check(stack, partner, suspended);
      expect(response.errors).toBeUndefined();
      expect((response.data as any).verifyIdentity).toMatchObject({ status: 'SUSPENDED', documents: [] });
    });

    it('gives only the types the partner may still receive', async () => {
      const partner = await aPartner(stack, ['DRIVING_LICENCE', 'HEALTH_INSURANCE_CARD']);
      expect((await grant(stack, holder, partner, ['DRIVING_LICENCE', 'HEALTH_INSURANCE_CARD'])).errors).toBeUndefined();
      await stack.identity.database.dataSource.query(`UPDATE identity.partners SET allowed_document_types = '{HEALTH_INSURANCE_CARD}' WHERE id = $1`, [partner.id]);
      const answer = (await check(stack, partner, holder)).data as any;
      expect(answer.verifyIdentity.documents.map((d: { type: string }) => d.type)).toEqual(['HEALTH_INSURANCE_CARD']);
    });
  });
});
