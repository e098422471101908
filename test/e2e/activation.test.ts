import { describe, expect, it } from 'vitest';
import { Role } from '../../subgraphs/shared/src';
import { aConfirmedCitizen, aLoggedInCitizen, aMobile, aPersonalIdNumber, aRegistration, CONFIRM, GOOD_PASSWORD, lastOtp, LOGIN, REGISTER, VERIFY } from '../kit/builders';
import { gql, post } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

const LOOKUP = `query($n: String!) { accountToActivate(documentType: CHIP_ID_CARD, documentNumber: $n) { id kind level status } }`;
const ACTIVATE = `mutation($id: ID!, $d: CheckedDocumentInput!) { activateAccount(accountId: $id, document: $d) { id level status fullName } }`;
const ACCESS_LOG = `{ me { accessLog(first: 10) { edges { node { accessorName postalPointCode agencyCode action outcome reason attributes purpose } } } } }`;

/** The document a clerk reads off the citizen's chip ID card (what `aRegistration` registered). */
function cardOf(input: Record<string, unknown>, change: Record<string, unknown> = {}) {
  return { documentType: 'CHIP_ID_CARD', documentNumber: input.personalIdNumber, issueDate: '2021-07-01', fullName: String(input.fullName).toUpperCase(), dateOfBirth: input.dateOfBirth, gender: input.gender, ...change };
}

async function openPoints(stack: Stack, n: number): Promise<string[]> {
  const rows = await stack.payments.database.dataSource.query(`SELECT code FROM payments.postal_points WHERE is_open ORDER BY code LIMIT $1`, [n]);
  return rows.map((r: { code: string }) => r.code);
}

async function accountRow(stack: Stack, id: string) {
  const [row] = await stack.identity.database.dataSource.query(
    `SELECT level, status, activated_postal_point_code, activated_agency_code, activated_by_account_id FROM identity.accounts WHERE id = $1`, [id]);
  return row;
}

describe('level 2: activation in person', () => {
  const stack = useStack({ postalPoints: 60 });
  const clerkAt = async (postalPointCode: string, level: 1 | 2 = 2) => stack.tokenFor({ role: Role.POSTAL_CLERK, postalPointCode, level });

  it('a clerk at any open postal point finds the account by the card, checks the card and makes it level 2; the holder sees who did it', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const [, otherPoint] = await openPoints(stack, 2);
    const clerk = await clerkAt(otherPoint);
    const { accountToActivate } = await gql(stack.gatewayUrl, LOOKUP, { n: citizen.input.personalIdNumber }, clerk);
    expect(accountToActivate).toEqual({ id: citizen.accountId, kind: 'CITIZEN', level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION' });

    const { activateAccount } = await gql(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: cardOf(citizen.input) }, clerk);
    expect(activateAccount).toEqual({ id: citizen.accountId, level: 'LEVEL_2', status: 'ACTIVE', fullName: 'Nguyễn Thị Lan' });
    expect(await accountRow(stack, citizen.accountId)).toMatchObject({ activated_postal_point_code: otherPoint, activated_agency_code: null });
    // The cached account is purged: the holder's next read says level 2 at once.
    expect((await gql(stack.gatewayUrl, `{ me { level status } }`, {}, citizen.token)).me).toEqual({ level: 'LEVEL_2', status: 'ACTIVE' });
    const log = (await gql(stack.gatewayUrl, ACCESS_LOG, {}, citizen.token)).me.accessLog.edges.map((e: any) => e.node);
    // Newest first: the clerk read the name in the answer (now related to the person by the activation), after activating.
    expect(log).toEqual([{
      accessorName: `Postal clerk at ${otherPoint}`, postalPointCode: otherPoint, agencyCode: null, action: 'READ_PERSONAL_DATA', outcome: 'ALLOWED', reason: null,
      attributes: ['FULL_NAME'], purpose: null,
    }, {
      accessorName: `Postal clerk at ${otherPoint}`, postalPointCode: otherPoint, agencyCode: null, action: 'ACTIVATE', outcome: 'ALLOWED', reason: null,
      attributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH', 'GENDER'], purpose: 'In-person verification for level 2',
    }]);
  });

  it('a police official of C06 may activate too', async () => {
    const citizen = await aConfirmedCitizen(stack);
    const police = await stack.tokenFor({ role: Role.OFFICIAL, agencyCode: 'C06', level: 2 });
    expect((await gql(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: cardOf(citizen.input) }, police)).activateAccount.level).toBe('LEVEL_2');
    expect(await accountRow(stack, citizen.accountId)).toMatchObject({ activated_postal_point_code: null, activated_agency_code: 'C06' });
  });

  it('refuses a document that does not match, naming every field that disagrees, and changes nothing', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const [point] = await openPoints(stack, 1);
    const wrong = cardOf(citizen.input, { documentNumber: '001190999999', fullName: 'NGUYỄN THỊ LÂN', dateOfBirth: '1990-04-13', gender: 'MALE' });
    const response = await post(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: wrong }, await clerkAt(point));
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'DOCUMENT_MISMATCH' });
    expect((response.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field))
      .toEqual(['document.documentNumber', 'document.fullName', 'document.dateOfBirth', 'document.gender']);
    expect(await accountRow(stack, citizen.accountId)).toMatchObject({ level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION', activated_by_account_id: null });
    // The attempt is on record for the holder, as refused.
    const [entry] = (await gql(stack.gatewayUrl, ACCESS_LOG, {}, citizen.token)).me.accessLog.edges.map((e: any) => e.node);
    expect(entry).toMatchObject({ action: 'ACTIVATE', outcome: 'REFUSED', reason: 'DOCUMENT_MISMATCH' });
  });

  it.each<[string, () => TestTokenClaims | null, string]>([
    ['anonymous', () => null, 'UNAUTHENTICATED'],
    ['a citizen', () => ({ role: Role.CITIZEN, level: 2 }), 'FORBIDDEN'],
    ['a clerk whose own account is level 1', () => ({ role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001', level: 1 }), 'FORBIDDEN'],
    ['an official of another agency', () => ({ role: Role.OFFICIAL, agencyCode: 'CDB', level: 2 }), 'FORBIDDEN'],
    ['a partner bank', () => ({ role: Role.PARTNER_BANK, level: 2 }), 'FORBIDDEN'],
    ['finance', () => ({ role: Role.FINANCE, level: 2 }), 'FORBIDDEN'],
    ['an administrator (not an in-person check)', () => ({ role: Role.ADMINISTRATOR, level: 2 }), 'FORBIDDEN'],
  ])('is refused to %s, before anything is read', async (_who, claims, code) => {
    const citizen = await aConfirmedCitizen(stack);
    const claim = claims();
    const token = claim ? await stack.tokenFor(claim) : undefined;
    for (const [query, variables] of [[ACTIVATE, { id: citizen.accountId, d: cardOf(citizen.input) }], [LOOKUP, { n: citizen.input.personalIdNumber }]] as const) {
      const response = await post(stack.gatewayUrl, query, variables, token);
      expect(response.errors?.[0].extensions?.code).toBe(code);
    }
    expect(await accountRow(stack, citizen.accountId)).toMatchObject({ level: 'LEVEL_1' });
  });

  it('refuses a clerk whose postal point is closed', async () => {
    const citizen = await aConfirmedCitizen(stack);
    const [, , closed] = await openPoints(stack, 3);
    await stack.payments.database.dataSource.query(`UPDATE payments.postal_points SET is_open = false WHERE code = $1`, [closed]);
    await stack.flushCache();
    const response = await post(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: cardOf(citizen.input) }, await clerkAt(closed));
    expect(response.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(response.errors?.[0].message).toMatch(/closed/);
  });

  it('follows the status machine: an active, suspended or revoked account is not activated (CONFLICT)', async () => {
    const [point] = await openPoints(stack, 1);
    for (const status of ['ACTIVE', 'SUSPENDED', 'REVOKED']) {
      const citizen = await aConfirmedCitizen(stack);
      await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET status = $2 WHERE id = $1`, [citizen.accountId, status]);
      await stack.flushCache();
      const response = await post(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: cardOf(citizen.input) }, await clerkAt(point));
      expect({ status, extensions: response.errors?.[0].extensions }).toMatchObject({ status, extensions: { code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION', status } });
    }
  });

  it('activates once when two counters try at the same moment', async () => {
    const citizen = await aConfirmedCitizen(stack);
    const [a, b] = await openPoints(stack, 2);
    const results = await Promise.all([a, b].map(async (point) => post(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: cardOf(citizen.input) }, await clerkAt(point))));
    expect(results.map((r) => (r.errors ? r.errors[0].extensions?.code : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
    const [{ n }] = await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.account_verifications WHERE account_id = $1 AND matched`, [citizen.accountId]);
    expect(n).toBe(1);
  });

  it('answers BAD_USER_INPUT for impossible document details, and NOT_FOUND for an unknown account', async () => {
    const citizen = await aConfirmedCitizen(stack);
    const [point] = await openPoints(stack, 1);
    const clerk = await clerkAt(point);
    const future = await post(stack.gatewayUrl, ACTIVATE, { id: citizen.accountId, d: cardOf(citizen.input, { issueDate: '2999-01-01' }) }, clerk);
    expect(future.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'document.issueDate' }] });
    const unknown = await post(stack.gatewayUrl, ACTIVATE, { id: '00000000-0000-4000-8000-000000000000', d: cardOf(citizen.input) }, clerk);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gql(stack.gatewayUrl, LOOKUP, { n: '001199999999' }, clerk)).accountToActivate).toBeNull();
  });
});

describe('assisted registration at a counter', () => {
  const stack = useStack({ postalPoints: 30 });
  const REGISTER_AT_COUNTER = `mutation($i: CounterRegistrationInput!) { registerAtCounter(input: $i) { account { id kind username level status } setPasswordChallengeId otpSent } }`;
  const RESET = `mutation($c: ID!, $code: String!, $p: String!) { resetPassword(challengeId: $c, code: $code, newPassword: $p) }`;
  const clerk = async () => stack.tokenFor({ role: Role.POSTAL_CLERK, postalPointCode: (await openPoints(stack, 1))[0], level: 2 });
  const card = (pin: string) => ({ documentType: 'CHIP_ID_CARD', documentNumber: pin, issueDate: '2022-03-01', fullName: 'Hoàng Văn Nam', dateOfBirth: '1990-09-09', gender: 'MALE' });

  it('makes a level-2 account at once; only the person, with the code sent to their phone, sets the password', async () => {
    const pin = aPersonalIdNumber(1990, 'MALE');
    const phone = aMobile();
    const { registerAtCounter } = await gql(stack.gatewayUrl, REGISTER_AT_COUNTER, { i: { document: card(pin), phone } }, await clerk());
    expect(registerAtCounter).toMatchObject({ account: { kind: 'CITIZEN', username: pin, level: 'LEVEL_2', status: 'ACTIVE' }, otpSent: true });
    // Nobody knows a password yet: not even the clerk can log in as the person.
    expect((await post(stack.gatewayUrl, LOGIN, { username: pin, password: GOOD_PASSWORD })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const code = await lastOtp(stack, phone);
    expect(await gql(stack.gatewayUrl, RESET, { c: registerAtCounter.setPasswordChallengeId, code, p: GOOD_PASSWORD })).toEqual({ resetPassword: true });
    const { login } = await gql(stack.gatewayUrl, LOGIN, { username: pin, password: GOOD_PASSWORD });
    const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, phone) });
    expect((await gql(stack.gatewayUrl, `{ me { level status fullName } }`, {}, verifyLoginOtp.accessToken)).me).toEqual({ level: 'LEVEL_2', status: 'ACTIVE', fullName: 'Hoàng Văn Nam' });
    const log = (await gql(stack.gatewayUrl, ACCESS_LOG, {}, verifyLoginOtp.accessToken)).me.accessLog.edges.map((e: any) => e.node.action);
    expect(log).toContain('REGISTER_AT_COUNTER');
  });

  it('registers a foreigner with their passport', async () => {
    const passport = `TK${String(Date.now()).slice(-7)}`;
    const { registerAtCounter } = await gql(stack.gatewayUrl, REGISTER_AT_COUNTER, {
      i: { document: { documentType: 'PASSPORT', documentNumber: passport.toLowerCase(), nationality: 'JP', issueDate: '2020-01-10', fullName: 'Sato Yuki', dateOfBirth: '1988-02-03', gender: 'MALE' }, phone: aMobile() },
    }, await clerk());
    expect(registerAtCounter.account).toMatchObject({ kind: 'FOREIGNER', username: `JP:${passport}`, level: 'LEVEL_2' });
  });

  it('supersedes a pending online registration of the same number (the person was seen), and refuses a number that has an account', async () => {
    const online = aRegistration({}, (await openPoints(stack, 1))[0]);
    const { registerCitizen } = await gql(stack.gatewayUrl, REGISTER, { input: online });
    const onlineCode = await lastOtp(stack, online.phone as string);
    const document = { ...card(online.personalIdNumber as string), fullName: online.fullName, dateOfBirth: online.dateOfBirth, gender: online.gender };
    await gql(stack.gatewayUrl, REGISTER_AT_COUNTER, { i: { document, phone: aMobile() } }, await clerk());
    expect((await post(stack.gatewayUrl, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: onlineCode })).errors?.[0].extensions?.code).toBe('CONFLICT');
    const again = await post(stack.gatewayUrl, REGISTER_AT_COUNTER, { i: { document, phone: aMobile() } }, await clerk());
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'ACCOUNT_EXISTS' });
  });

  it('lists every problem at once, and is for level-2 clerks only', async () => {
    const bad = await post(stack.gatewayUrl, REGISTER_AT_COUNTER, {
      i: { document: { documentType: 'CHIP_ID_CARD', documentNumber: '001190000123', issueDate: '2999-01-01', fullName: 'X', dateOfBirth: '2020-01-01', gender: 'MALE' }, phone: '123', email: 'nope' },
    }, await clerk());
    expect([...new Set((bad.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field))].sort())
      .toEqual(['document.dateOfBirth', 'document.documentNumber', 'document.fullName', 'document.issueDate', 'email', 'phone']);
    for (const claims of [{ role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001', level: 1 as const }, { role: Role.OFFICIAL, agencyCode: 'C06' }, { role: Role.CITIZEN }, { role: Role.ADMINISTRATOR }]) {
      const response = await post(stack.gatewayUrl, REGISTER_AT_COUNTER, { i: { document: card(aPersonalIdNumber(1990, 'MALE')), phone: aMobile() } }, await stack.tokenFor({ level: 2, ...claims }));
      expect(response.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });
});
