import { describe, expect, it } from 'vitest';
import { Role } from '../../subgraphs/shared/src';
import { aLoggedInCitizen } from '../kit/builders';
import { gql, post } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

const PERSON = `query($n: String!) { accountToActivate(documentType: CHIP_ID_CARD, documentNumber: $n) { id level fullName phone } }`;
const ACTIVATE = `mutation($id: ID!, $d: CheckedDocumentInput!) { activateAccount(accountId: $id, document: $d) { id } }`;
const ACCESS_LOG = `{ me { accessLog(first: 20) { edges { node { accessorName action outcome attributes } } } } }`;

async function openPoints(stack: Stack, n: number): Promise<string[]> {
  const rows = await stack.payments.database.dataSource.query(`SELECT code FROM payments.postal_points WHERE is_open ORDER BY code LIMIT $1`, [n]);
  return rows.map((r: { code: string }) => r.code);
}

/** What a staff member gets when they ask for a person's name and phone: the values, or why not. */
async function whatStaffSee(stack: Stack, claims: TestTokenClaims, personalIdNumber: string, url = stack.gatewayUrl) {
  const response = await post(url, PERSON, { n: personalIdNumber }, await stack.tokenFor({ level: 2, ...claims }));
  const account = response.data?.accountToActivate as { fullName: string | null; phone: string | null } | null | undefined;
  return { fullName: account?.fullName ?? null, phone: account?.phone ?? null, errors: [...new Set(response.errors?.map((e) => e.extensions?.code))] };
}

const accessLogOf = async (stack: Stack, token: string) =>
  (await gql(stack.gatewayUrl, ACCESS_LOG, {}, token)).me.accessLog.edges.map((e: any) => e.node);

describe('who sees whose personal data', () => {
  const stack = useStack({ postalPoints: 60 });

  it('a clerk of the postal point the person chose sees them, and the read is in the person\'s access log; a clerk elsewhere does not', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const [chosen] = await openPoints(stack, 1);
    const [, elsewhere] = await openPoints(stack, 2);
    expect(chosen).toBe(citizen.input.verificationPostalPointCode);

    expect(await whatStaffSee(stack, { role: Role.POSTAL_CLERK, postalPointCode: chosen }, citizen.input.personalIdNumber as string))
      .toEqual({ fullName: 'Nguyễn Thị Lan', phone: expect.stringMatching(/^\+84/), errors: [] });
    expect(await whatStaffSee(stack, { role: Role.POSTAL_CLERK, postalPointCode: elsewhere }, citizen.input.personalIdNumber as string))
      .toEqual({ fullName: null, phone: null, errors: ['FORBIDDEN'] });
    // One entry for the one read (both attributes together); the refused look-up read nothing.
    expect(await accessLogOf(stack, citizen.token)).toEqual([
      { accessorName: `Postal clerk at ${chosen}`, action: 'READ_PERSONAL_DATA', outcome: 'ALLOWED', attributes: ['FULL_NAME', 'PHONE'] },
    ]);
  });

  it('a failed activation attempt relates no one: a clerk cannot open a stranger\'s data by trying a bogus card', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const [, , , , counter] = await openPoints(stack, 5);
    const pin = citizen.input.personalIdNumber as string;
    const clerk = { role: Role.POSTAL_CLERK, postalPointCode: counter };
    const bogus = { documentType: 'CHIP_ID_CARD', documentNumber: pin, issueDate: '2021-07-01', fullName: 'Không Phải Tên', dateOfBirth: '1990-04-12', gender: 'FEMALE' };
    const attempt = await post(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: bogus }, await stack.tokenFor({ ...clerk, level: 2 }));
    expect(attempt.errors?.[0].extensions?.reason).toBe('DOCUMENT_MISMATCH');
    expect((await whatStaffSee(stack, clerk, pin)).errors).toEqual(['FORBIDDEN']);
  });

  it('the counter that activated a person, and the police who did, are related to them from then on', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const [, , , counter] = await openPoints(stack, 4);
    const pin = citizen.input.personalIdNumber as string;
    const clerk = { role: Role.POSTAL_CLERK, postalPointCode: counter };
    expect((await whatStaffSee(stack, clerk, pin)).errors).toEqual(['FORBIDDEN']);
    const card = { documentType: 'CHIP_ID_CARD', documentNumber: pin, issueDate: '2021-07-01', fullName: citizen.input.fullName, dateOfBirth: citizen.input.dateOfBirth, gender: citizen.input.gender };
    await gql(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: card }, await stack.tokenFor({ ...clerk, level: 2 }));
    expect((await whatStaffSee(stack, clerk, pin)).fullName).toBe('Nguyễn Thị Lan');

    const other = await aLoggedInCitizen(stack);
    const otherPin = other.input.personalIdNumber as string;
    expect((await whatStaffSee(stack, { role: Role.OFFICIAL, agencyCode: 'C06' }, otherPin)).errors).toEqual(['FORBIDDEN']);
    await gql(stack.gatewayUrl, ACTIVATE, { id: other.accountId, d: { ...card, documentNumber: otherPin } }, await stack.tokenFor({ role: Role.OFFICIAL, agencyCode: 'C06', level: 2 }));
    expect((await whatStaffSee(stack, { role: Role.OFFICIAL, agencyCode: 'C06' }, otherPin)).fullName).toBe('Nguyễn Thị Lan');
  });

  // Through a reference, as the gateway resolves `Dossier.applicant`: every role, one person.
  it.each<[string, TestTokenClaims, boolean]>([
    ['an administrator', { role: Role.ADMINISTRATOR }, true],
    ['a clerk of the point the person chose', { role: Role.POSTAL_CLERK, postalPointCode: '__CHOSEN__' }, true],
    ['a clerk of another point', { role: Role.POSTAL_CLERK, postalPointCode: '__OTHER__' }, false],
    ['an official with no relation', { role: Role.OFFICIAL, agencyCode: 'C06' }, false],
    ['a partner bank', { role: Role.PARTNER_BANK }, false],
    ['finance', { role: Role.FINANCE }, false],
    ['another citizen', { role: Role.CITIZEN }, false],
  ])('through a reference, %s: sees them = %s (every staff read logged)', async (_who, claims, sees) => {
    const citizen = await aLoggedInCitizen(stack);
    const [chosen, other] = await openPoints(stack, 2);
    const postalPointCode = claims.postalPointCode === '__CHOSEN__' ? chosen : claims.postalPointCode === '__OTHER__' ? other : claims.postalPointCode;
    const token = await stack.tokenFor({ level: 2, ...claims, postalPointCode });
    const response = await post(`${stack.identity.url}/graphql`, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { id level dateOfBirth } } }`,
      { r: [{ __typename: 'Account', id: citizen.accountId }] }, token, { asGatewayTo: 'identity' });
    const entity = (response.data as any)?._entities?.[0];
    expect(entity?.level).toBe('LEVEL_1');
    // dateOfBirth is nullable, so a refusal nulls that field only and the rest of the account still answers.
    expect(entity?.dateOfBirth ?? null).toBe(sees ? '1990-04-12' : null);
    expect(response.errors?.map((e) => e.extensions?.code) ?? []).toEqual(sees ? [] : ['FORBIDDEN']);
    const log = await accessLogOf(stack, citizen.token);
    expect(log.filter((e: any) => e.action === 'READ_PERSONAL_DATA')).toHaveLength(sees ? 1 : 0);
  });

  it('an official of the agency handling a dossier sees its applicant, once documents has told identity (an event, not a call)', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const { submitDossier } = await gql(stack.gatewayUrl, `mutation { submitDossier(input: { serviceCode: "GPLX_EXCHANGE", acceptDeclaration: true }) { id } }`, {}, citizen.token);
    // GPLX_EXCHANGE is handled by the roads agency (CDB); the police (C06) have no dealings with this person.
    const applicantAs = async (agencyCode: string) => {
      const response = await post(stack.gatewayUrl, `query($id: ID!) { dossier(id: $id) { applicant { id dateOfBirth } } }`, { id: submitDossier.id }, await stack.tokenFor({ role: Role.OFFICIAL, agencyCode, level: 2 }));
      return (response.data as any)?.dossier?.applicant?.dateOfBirth ?? null;
    };
    await expect.poll(() => applicantAs('CDB'), { timeout: 10_000, interval: 100 }).toBe('1990-04-12');
    expect(await applicantAs('C06')).toBeNull();
    const log = await accessLogOf(stack, citizen.token);
    expect(log[0]).toEqual({ accessorName: 'Official of CDB', action: 'READ_PERSONAL_DATA', outcome: 'ALLOWED', attributes: ['DATE_OF_BIRTH'] });
  });

  it('a staff member who has just verified a person\'s identity QR code may read their data; others may not', async () => {
    const citizen = await aLoggedInCitizen(stack);
    await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [citizen.accountId]);
    await stack.flushCache();
    const official = { role: Role.OFFICIAL, agencyCode: 'CDB', level: 2 as const, accountId: '6f0e8a52-3c1d-4f7a-9b2e-0d5c8e7a1b34' };
    const colleague = { ...official, accountId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };
    const readAs = async (claims: TestTokenClaims) => {
      const response = await post(`${stack.identity.url}/graphql`, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { dateOfBirth } } }`,
        { r: [{ __typename: 'Account', id: citizen.accountId }] }, await stack.tokenFor(claims), { asGatewayTo: 'identity' });
      return (response.data as any)?._entities?.[0]?.dateOfBirth ?? null;
    };
    expect(await readAs(official)).toBeNull();
    const holder = await stack.tokenFor({ role: Role.CITIZEN, accountId: citizen.accountId, level: 2 });
    const { createIdentityQr } = await gql(stack.gatewayUrl, `mutation { createIdentityQr { payload } }`, {}, holder);
    await gql(stack.gatewayUrl, `mutation($p: String!) { verifyIdentityQr(payload: $p) { fullName } }`, { p: createIdentityQr.payload }, await stack.tokenFor(official));
    expect(await readAs(official)).toBe('1990-04-12');
    expect(await readAs(colleague)).toBeNull();
  });

  it('the holder reads their own data without a log entry; a direct subgraph call is judged the same way', async () => {
    const citizen = await aLoggedInCitizen(stack);
    expect((await gql(stack.gatewayUrl, `{ me { fullName phone personalIdNumber } }`, {}, citizen.token)).me.fullName).toBe('Nguyễn Thị Lan');
    const [, elsewhere] = await openPoints(stack, 2);
    const direct = await whatStaffSee(stack, { role: Role.POSTAL_CLERK, postalPointCode: elsewhere }, citizen.input.personalIdNumber as string, `${stack.identity.url}/graphql`);
    expect(direct).toEqual({ fullName: null, phone: null, errors: ['FORBIDDEN'] });
    expect(await accessLogOf(stack, citizen.token)).toEqual([]);
  });
});
