import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, type DefinitionNode, type FieldDefinitionNode } from 'graphql';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../subgraphs/identity/src/accounts/password-hash';
import { DelegationScope, Role } from '../../subgraphs/shared/src';
import {
  aConfirmedCitizen, aForeignerRegistration, aLoggedInCitizen, aMobile, aPersonalIdNumber, aRegistration, CONFIRM, GOOD_PASSWORD, lastOtp, LOGIN,
  REGISTER, VERIFY,
} from '../kit/builders';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack } from '../kit/stack';

/*
 * One authorisation matrix for the identity subgraph: every root query and mutation of schema/identity.graphql (the
 * first test fails when the schema has a root field the table does not list, or the other way round) and the
 * personal-data fields of Account, against every kind of caller.
 *
 * Each cell is asked twice, through the gateway and directly at identity (`/graphql` of the subgraph, no gateway
 * proof), and both must give the cell's outcome; a cell whose two answers differ reads "gateway: X ≠ direct: Y".
 * Account fields of someone else are the exception: the gateway has no root field that reaches another person's
 * account for every caller, it reaches one through an entity reference (Dossier.applicant, Organisation.representative)
 * by sending identity exactly `_entities(representations: [{ __typename: "Account", id }])` with its signed proof, so
 * those cells are that call, signed as the gateway signs it (`asGatewayTo: 'identity'`); the holder's own cells are
 * `me { … }`, through the gateway and directly.
 *
 * Outcomes: OK, data; NUL, null without an error (what the operation documents for "not yours" or "nothing");
 * UA / FB / NF, the error code UNAUTHENTICATED / FORBIDDEN / NOT_FOUND; BI, BAD_USER_INPUT: the caller got past
 * authorisation (or the operation has none) and the input was refused after it, on purpose, so the cell changes
 * nothing (each row says which input); —, the cell does not apply (see the columns).
 *
 * Columns (callers):
 *   anonymous       no token
 *   c1 own / other  a level-1 citizen (real login, `sid`) acting on their own data / on the person's (S, below)
 *   c2 own / other  a level-2 citizen (real login) acting on their own data / on the person's
 *                   For an operation that names nobody but the caller (me, changePassword, grantConsent, …) or makes
 *                   something new, the citizen's cell is under "own" and "other" is —.
 *   here            a level-2 postal clerk of the person's postal point (the one S chose at registration)
 *   elsewhere       a level-2 postal clerk of another open postal point
 *   clerk L1        a level-1 postal clerk of the person's postal point
 *   C06 / agency    a level-2 official of the police agency C06 (which activated S) / of another agency (CDB)
 *   bank+ / bank-   a partner bank (its own token from issuePartnerToken) with / without S's consent
 *   finance, admin2, admin1   finance; an administrator at level 2 / at level 1
 *   delegate of O / of O2 (dlgO / dlgO2)   a level-2 citizen acting (an actForOrganisation token) under a live
 *                   VIEW_DOSSIERS delegation, asked about S's organisation O: E, a delegate of O itself, trying what
 *                   lies beyond a delegate's powers; d, a delegate of another organisation (O2), so O lies outside
 *                   their delegation altogether. Only where an operation takes an organisation, — elsewhere.
 * Every row starts with the rate-limit counters forgotten (see forgetRateLimitCounters).
 * In the tables: 1own/1oth = c1 own/other, 2own/2oth = c2 own/other, clk1 = clerk L1, agcy = agency, bnk± = bank±,
 * dlgO/dgO2 = delegate of O / of O2.
 * Staff are real accounts (rows written as the demo seed writes them) with tokens from `stack.tokenFor`, which carry
 * no `sid`; the one operation that needs a live session (actForOrganisation) logs them in for real.
 *
 * The person S: a citizen who registered online choosing postal point `here`, was activated to level 2 by a C06
 * official, consented to bank+, represents organisation O and delegated it to E. Cells never change S: a mutation that
 * would change what it names, when allowed, gets a fresh subject per cell and route; the callers expected to be
 * refused name the real subject but with an input that an allowed caller would have seen refused as BAD_USER_INPUT
 * before anything was written (so a caller wrongly let through fails the cell and changes nothing). Each row says which.
 */

const OK = 'data', NUL = 'null', UA = 'UNAUTHENTICATED', FB = 'FORBIDDEN', NF = 'NOT_FOUND', BI = 'BAD_USER_INPUT', __ = '—';
type Cell = typeof OK | typeof NUL | typeof UA | typeof FB | typeof NF | typeof BI | typeof __;

const CALLERS = [
  'anonymous', 'c1 own', 'c1 other', 'c2 own', 'c2 other', 'here', 'elsewhere', 'clerk L1', 'C06', 'agency', 'bank+', 'bank-', 'finance', 'admin2', 'admin1', 'delegate of O', 'delegate of O2',
] as const;
type Caller = typeof CALLERS[number];
type Row = readonly [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];

/** Every root field of the identity subgraph. */
const ROOT_FIELDS: Record<string, Row> = {
  //                      anon 1own 1oth 2own 2oth here else clk1 C06  agcy bnk+ bnk- fin  adm2 adm1 dlgO dgO2
  // ── queries ──────────────────────────────────────────────────────────────────────────────────────────────
  // Staff here are real accounts: their `me` is data; a partner's token names a partner, which is no account.
  me:                    [NUL, OK,  __,  OK,  __,  OK,  OK,  OK,  OK,  OK,  NUL, NUL, OK,  OK,  OK,  __,  __],
  // Anyone logged in lists their own sessions (staff and partners: an empty list, their tokens name no session).
  mySessions:            [UA,  OK,  __,  OK,  __,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  __,  __],
  // By the card's number (S's; the citizen's own under "own"): a level-2 clerk at any point or the police (C06). The
  // clerk elsewhere finds S too (any open point may activate; the personal fields are judged separately, below).
  accountToActivate:     [UA,  FB,  FB,  FB,  FB,  OK,  OK,  FB,  OK,  FB,  FB,  FB,  FB,  FB,  FB,  __,  __],
  // Citizens (any level) choosing whom to consent to, and level-2 administrators; no staff, no partner.
  partners:              [UA,  OK,  __,  OK,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  // "null for anyone else": O (S's) to everyone but its people; O2 is c2's own. A level-1 citizen represents none.
  organisation:          [UA,  __,  NUL, OK,  NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, OK,  NUL, OK,  NUL],
  myOrganisations:       [UA,  OK,  __,  OK,  __,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  __,  __],
  myDelegations:         [UA,  OK,  __,  OK,  __,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  __,  __],
  // ── mutations anyone may call: the token plays no part. Anonymous callers get a real success; token-bearing ones
  // send an input refused on its merits, as it would be for anyone's (nothing is created, no SMS is sent).
  registerCitizen:       [OK,  BI,  __,  BI,  __,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  __,  __], // a 5-digit ID number
  registerForeigner:     [OK,  BI,  __,  BI,  __,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  __,  __], // nationality VN
  confirmPhone:          [OK,  BI,  __,  BI,  __,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  __,  __], // an unknown challenge
  resendOtp:             [OK,  BI,  __,  BI,  __,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  __,  __], // an unknown challenge
  // UA here is the answer to wrong credentials (a username nobody has), the same as for an anonymous caller.
  login:                 [OK,  UA,  __,  UA,  __,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  __,  __],
  verifyLoginOtp:        [OK,  BI,  __,  BI,  __,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  __,  __], // an unknown challenge
  // UA here is the answer to a refresh token that is no one's.
  refreshSession:        [OK,  UA,  __,  UA,  __,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  UA,  __,  __],
  // A username nobody has (a new one per call) gets the same answer as a real one: everyone gets data.
  requestPasswordReset:  [OK,  OK,  __,  OK,  __,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  __,  __],
  resetPassword:         [OK,  BI,  __,  BI,  __,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  BI,  __,  __], // an unknown challenge
  issuePartnerToken:     [OK,  OK,  __,  OK,  __,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  __,  __], // bank+'s credentials
  // ── account life cycle: a level-2 administrator, never on their own account. admin2 acts on a fresh person
  // (registered at a counter, and suspended first to be reinstated) with a reason; every other caller names the
  // real subject (themselves under "own", S otherwise) with a blank reason.
  suspendAccount:        [UA,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  reinstateAccount:      [UA,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  revokeAccount:         [UA,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  // ── the caller's own password and sessions
  // The right old password and a new one that breaks the rules (BI, nothing changes; a wrong old one would count as
  // a failed login). A partner's token passes the rule (any caller, on themselves), then names no account: UA.
  changePassword:        [UA,  BI,  __,  BI,  __,  BI,  BI,  BI,  BI,  BI,  FB,  FB,  BI,  BI,  BI,  __,  __],
  // Citizens log out a fresh session of their own (true); tokens without a session (staff, partners) get false.
  logout:                [UA,  OK,  __,  OK,  __,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  __,  __],
  // Own: a fresh session of the caller's. Other: S's session, which is NOT_FOUND for everyone, administrators too.
  revokeSession:         [UA,  OK,  NF,  OK,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  __,  __],
  // ── level 2 and the counter
  // here, elsewhere (any open point) and C06 activate a fresh level-1 person with their card; everyone else names
  // the real subject with a card whose name is blank.
  activateAccount:       [UA,  FB,  FB,  FB,  FB,  OK,  OK,  FB,  OK,  FB,  FB,  FB,  FB,  FB,  FB,  __,  __],
  // A level-2 clerk only (not the police, not administrators); every cell brings a new person's card.
  registerAtCounter:     [UA,  FB,  __,  FB,  __,  OK,  OK,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  __,  __],
  createIdentityQr:      [UA,  FB,  __,  OK,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  __,  __],
  // Each cell scans a fresh code of E (c2 own: of c2's own): a scan lets the scanner read the holder's data for 30
  // minutes, so nobody here ever scans S. Any level-2 official scans, not only C06.
  verifyIdentityQr:      [UA,  __,  FB,  FB,  FB,  OK,  OK,  FB,  OK,  OK,  FB,  FB,  FB,  FB,  FB,  __,  __],
  // ── partners: level-2 administrators; every cell gets a fresh partner (and a fresh name)
  registerPartner:       [UA,  FB,  __,  FB,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  rotatePartnerSecret:   [UA,  FB,  __,  FB,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  setPartnerActive:      [UA,  FB,  __,  FB,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  // ── single sign-on: relying parties, level-2 administrators like partners; every cell gets a fresh one
  relyingParties:        [UA,  FB,  __,  FB,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  registerRelyingParty:  [UA,  FB,  __,  FB,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  setRelyingPartyActive: [UA,  FB,  __,  FB,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  // The caller's own connected systems, with the graph's own login: own, a fresh grant of the caller's with a fresh
  // relying party; everyone else names the relying party S is connected to, and has no connection with it (NOT_FOUND,
  // administrators too). A partner's token is no person's: FORBIDDEN.
  revokeConnectedSystem: [UA,  OK,  __,  OK,  __,  NF,  NF,  NF,  NF,  NF,  FB,  FB,  NF,  NF,  NF,  __,  __],
  // ── consent: the holder alone, whatever their level (a level-1 consent is refused later, by verifyIdentity)
  grantConsent:          [UA,  OK,  __,  OK,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  __,  __],
  // Own: a fresh consent of the caller's. Anyone else's consent is NOT_FOUND, "as an unknown id is", administrators too.
  revokeConsent:         [UA,  OK,  NF,  OK,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  __,  __],
  // S's number (the citizen's own under "own") and the consented purpose. bank-'s FORBIDDEN is the one refusal
  // every failed check gets (reason IDENTITY_CHECK_REFUSED); everyone else's is the action's.
  verifyIdentity:        [UA,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  FB,  FB,  FB,  __,  __],
  // ── organisations (O is S's, O2 is c2's). Staff sessions are real logins here (actForOrganisation needs one);
  // a partner's token can have none, hence UA. Someone who never held a delegation of O is told it does not exist;
  // O's own delegate may act for it (again, with the token they act with).
  registerOrganisation:  [UA,  FB,  __,  OK,  __,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  __,  __],
  actForOrganisation:    [UA,  __,  NF,  OK,  NF,  NF,  NF,  NF,  NF,  NF,  UA,  UA,  NF,  NF,  NF,  OK,  NF],
  // c2 grants O2 to a level-2 citizen; everyone else asks for O with an expiry in the past. Administrators and O's
  // delegate see O but never manage it (FB); anyone who does not see it (a level-1 administrator included) gets NF.
  grantDelegation:       [UA,  __,  NF,  OK,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  FB,  NF,  FB,  NF],
  // c2 revokes a fresh delegation of O2; everyone else S's delegation of O to E (dlgO: their own): "the delegate and
  // administrators are FORBIDDEN; anyone else gets NOT_FOUND".
  revokeDelegation:      [UA,  __,  NF,  OK,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  NF,  FB,  NF,  FB,  NF],
};

/**
 * Account fields: the holder's own through `me`, anybody else's (S's) through `_entities` as the gateway sends it.
 * Personal data is the holder's and level-2 administrators'; staff read it only through a relation and with a
 * level-2 account: `here` (S chose that point), C06 (activated S); the level-1 clerk of the same point does not.
 * A partner's consent is for verifyIdentity only: it never opens the fields.
 */
const PERSONAL: Row =      [UA,  OK,  FB,  OK,  FB,  OK,  FB,  FB,  OK,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __];
const ACCOUNT_FIELDS: Record<string, Row> = {
  //                        anon 1own 1oth 2own 2oth here else clk1 C06  agcy bnk+ bnk- fin  adm2 adm1 dlgO dgO2
  // Reaching an account and its non-personal fields: anyone logged in.
  'Account.level':         [UA,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  OK,  __,  __],
  'Account.username':          PERSONAL,
  'Account.personalIdNumber':  PERSONAL,
  'Account.fullName':          PERSONAL,
  'Account.dateOfBirth':       PERSONAL,
  'Account.gender':            PERSONAL,
  'Account.phone':             PERSONAL,
  'Account.email':             PERSONAL,
  // A citizen has no passport: where the guard lets the reader through, the value is null.
  'Account.passportNumber': [UA,  NUL, FB,  NUL, FB,  NUL, FB,  FB,  NUL, FB,  FB,  FB,  FB,  NUL, FB,  __,  __],
  'Account.nationality':   [UA,  NUL, FB,  NUL, FB,  NUL, FB,  FB,  NUL, FB,  FB,  FB,  FB,  NUL, FB,  __,  __],
  // "Only the holder (or a level-2 administrator)": no relation opens these to staff.
  'Account.statusHistory': [UA,  OK,  FB,  OK,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  'Account.accessLog':     [UA,  OK,  FB,  OK,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  'Account.consents':      [UA,  OK,  FB,  OK,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  OK,  FB,  __,  __],
  // The holder alone, administrators neither: which systems a person uses is theirs to see.
  'Account.connectedSystems': [UA, OK,  FB,  OK,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  FB,  __,  __],
};

// ── how each row is asked ─────────────────────────────────────────────────────────────────────────────────────

type Route = 'gateway' | 'direct' | 'entity';
type Vars = Record<string, unknown>;
interface Ask { who: Caller; route: Route }
interface Call {
  query: string | ((a: Ask) => string);
  /** The variables of one call, made per cell and per route (setting up a fresh subject when the row needs one). */
  vars?: (a: Ask) => Vars | Promise<Vars>;
  /** The token, when not the caller's usual one. */
  token?: (a: Ask) => string | undefined | Promise<string | undefined>;
  /** Where the answer is (data or null); the root field when omitted. */
  answer?: (a: Ask) => (string | number)[];
  /** The routes of a cell; gateway and direct when omitted. */
  routes?: (who: Caller) => Route[];
  /** The cells (and routes) one after the other instead of together. */
  serial?: boolean;
}

interface Person { accountId: string; pin: string; mobile: string; token: string; refreshToken: string }
interface Staff { accountId: string; username: string; mobile: string; token: string }
interface PartnerCredentials { id: string; clientId: string; clientSecret: string }
interface World {
  here: string; elsewhere: string;
  S: Person & { sessionId: string; organisationId: string; delegationId: string; otherConsentId: string };
  c1: Person; c2: Person & { organisationId: string }; d: Person & { actingToken: string };
  E: Omit<Person, 'token' | 'refreshToken'> & { qrToken: string; actingToken: string };
  staff: Record<StaffCaller, Staff>;
  partners: { consented: PartnerCredentials & { token: string }; notConsented: PartnerCredentials & { token: string }; forGrants: PartnerCredentials };
}

type StaffCaller = 'here' | 'elsewhere' | 'clerk L1' | 'C06' | 'agency' | 'finance' | 'admin2' | 'admin1';
const STAFF_CALLERS: StaffCaller[] = ['here', 'elsewhere', 'clerk L1', 'C06', 'agency', 'finance', 'admin2', 'admin1'];
const isStaff = (who: Caller): who is StaffCaller => (STAFF_CALLERS as readonly string[]).includes(who);
const STAFF_PASSWORD = 'Buu-Dien-2026!';
const PURPOSE = 'Mở tài khoản thanh toán';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const aTaxCode = () => `0${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
const unique = () => randomBytes(4).toString('hex');

const Q = {
  activate: `mutation($id: ID!, $d: CheckedDocumentInput!) { activateAccount(accountId: $id, document: $d) { id level } }`,
  refresh: `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`,
  registerPartner: `mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { clientId clientSecret partner { id } } }`,
  issuePartnerToken: `mutation($id: String!, $s: String!) { issuePartnerToken(clientId: $id, clientSecret: $s) { accessToken partnerId } }`,
  grantConsent: `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`,
  registerOrganisation: `mutation($input: RegisterOrganisationInput!) { registerOrganisation(input: $input) { id } }`,
  grantDelegation: `mutation($input: GrantDelegationInput!) { grantDelegation(input: $input) { id status } }`,
  actFor: `mutation($id: ID!) { actForOrganisation(organisationId: $id) { accessToken scopes } }`,
  registerAtCounter: `mutation($input: CounterRegistrationInput!) { registerAtCounter(input: $input) { account { id } setPasswordChallengeId } }`,
  suspend: `mutation($id: ID!, $reason: String!) { suspendAccount(accountId: $id, reason: $reason) { id status } }`,
  createQr: `mutation { createIdentityQr(share: [PERSONAL_ID_NUMBER]) { payload } }`,
};

const cardOf = (input: Record<string, unknown>) => ({
  documentType: 'CHIP_ID_CARD', documentNumber: input.personalIdNumber, issueDate: '2021-06-01',
  fullName: input.fullName, dateOfBirth: input.dateOfBirth, gender: input.gender,
});

function outcomeOf(response: GraphQLResponse<unknown>, answerPath: (string | number)[]): string {
  const codes = [...new Set((response.errors ?? []).map((e) => e.extensions?.code ?? `no code: ${e.message}`))];
  if (codes.length) return codes.join(' + ');
  const value = answerPath.reduce<unknown>((at, key) => (at as Record<string | number, unknown> | null | undefined)?.[key], response.data);
  return value === null || value === undefined ? NUL : OK;
}

describe('identity: who may call what (one matrix, through the gateway and directly)', () => {
  const stack = useStack({ postalPoints: 20 });
  const identityUrl = () => `${stack.identity.url}/graphql`;
  const db = () => stack.identity.database.dataSource;
  const w = {} as World;

  /** One login at a time per username: the code is read from the outbox as "the newest for this phone". */
  const loginQueues = new Map<string, Promise<unknown>>();
  function loginAs(username: string, password: string, mobile: string): Promise<{ accessToken: string; refreshToken: string }> {
    const previous = loginQueues.get(username) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(async () => {
      const { login } = await gql(stack.gatewayUrl, LOGIN, { username, password });
      const code = await lastOtp(stack, mobile);
      const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code });
      return { accessToken: verifyLoginOtp.accessToken as string, refreshToken: verifyLoginOtp.refreshToken as string };
    });
    loginQueues.set(username, next);
    return next;
  }
  /** A login challenge and its code, not yet used (for verifyLoginOtp). */
  function loginChallengeOf(username: string, password: string, mobile: string): Promise<{ challengeId: string; code: string }> {
    const previous = loginQueues.get(username) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(async () => {
      const { login } = await gql(stack.gatewayUrl, LOGIN, { username, password });
      return { challengeId: login.challengeId as string, code: await lastOtp(stack, mobile) };
    });
    loginQueues.set(username, next);
    return next;
  }
  /** Staff logged in for real, once each (for actForOrganisation, which needs a live session). */
  const staffSessions = new Map<StaffCaller, Promise<string>>();
  function staffSession(who: StaffCaller): Promise<string> {
    if (!staffSessions.has(who)) {
      const staff = w.staff[who];
      staffSessions.set(who, loginAs(staff.username, STAFF_PASSWORD, staff.mobile).then((s) => s.accessToken));
    }
    return staffSessions.get(who)!;
  }

  function tokenOf(who: Caller): string | undefined {
    switch (who) {
      case 'anonymous': return undefined;
      case 'c1 own': case 'c1 other': return w.c1.token;
      case 'c2 own': case 'c2 other': return w.c2.token;
      case 'bank+': return w.partners.consented.token;
      case 'bank-': return w.partners.notConsented.token;
      case 'delegate of O': return w.E.actingToken;
      case 'delegate of O2': return w.d.actingToken;
      default: return w.staff[who].token;
    }
  }
  /** Whom a cell is about: the citizen themselves under "own", S otherwise. */
  const subjectOf = (who: Caller): { accountId: string; pin: string } => (who === 'c1 own' ? w.c1 : who === 'c2 own' ? w.c2 : w.S);
  const selfOf = (who: Caller): { username: string; password: string; mobile: string } | null =>
    who === 'c1 own' ? { username: w.c1.pin, password: GOOD_PASSWORD, mobile: w.c1.mobile }
      : who === 'c2 own' ? { username: w.c2.pin, password: GOOD_PASSWORD, mobile: w.c2.mobile } : null;

  // ── fresh subjects ──
  /** A new person registered at a counter by `here`: level 2 and active at once, a code to set the password sent. */
  async function aPersonAtCounter() {
    const mobile = aMobile();
    const input = { phone: mobile, document: cardOf({ personalIdNumber: aPersonalIdNumber(1990, 'FEMALE'), fullName: 'Trần Thị Mai', dateOfBirth: '1990-04-12', gender: 'FEMALE' }) };
    const { registerAtCounter } = await gql(stack.gatewayUrl, Q.registerAtCounter, { input }, w.staff.here.token);
    return { accountId: registerAtCounter.account.id as string, setPasswordChallengeId: registerAtCounter.setPasswordChallengeId as string, mobile };
  }
  async function aPartner(allowedAttributes = ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH', 'GENDER', 'PHONE', 'EMAIL']): Promise<PartnerCredentials> {
    const input = { name: `Ngân hàng Thử nghiệm ${unique()}`, purpose: 'eKYC khi mở tài khoản', allowedAttributes };
    const { registerPartner } = await gql(stack.gatewayUrl, Q.registerPartner, { input }, w.staff.admin2.token);
    return { id: registerPartner.partner.id, clientId: registerPartner.clientId, clientSecret: registerPartner.clientSecret };
  }
  const aRelyingPartyInput = () => ({ name: `Cổng Thử nghiệm ${unique()}`, redirectUris: ['https://portal.example.vn/callback'], allowedScopes: ['openid', 'profile'] });
  const partnerToken = async (p: PartnerCredentials) => (await gql(stack.gatewayUrl, Q.issuePartnerToken, { id: p.clientId, s: p.clientSecret })).issuePartnerToken.accessToken as string;
  const aConsent = async (token: string) => (await gql(stack.gatewayUrl, Q.grantConsent, {
    input: { partnerId: w.partners.forGrants.id, attributes: ['FULL_NAME'], purpose: `Thử nghiệm ${unique()}`, expiresAt: inDays(30) },
  }, token)).grantConsent.id as string;
  /** A relying party `accountId` signed in to: a fresh one, and the grant the provider keeps of the sign-in (as it stores it). */
  const aConnectedSystemOf = async (accountId: string) => {
    const { registerRelyingParty } = await gql(stack.gatewayUrl, `mutation($input: RegisterRelyingPartyInput!) { registerRelyingParty(input: $input) { clientId } }`,
      { input: aRelyingPartyInput() }, w.staff.admin2.token);
    const [id, iat] = [`grant-${unique()}${unique()}`, Math.floor(Date.now() / 1000)];
    await db().query(`INSERT INTO identity.oidc_artifacts (model, id, payload, expires_at) VALUES ('Grant', $1, $2, now() + interval '1 hour')`, [id, JSON.stringify({
      kind: 'Grant', jti: id, accountId, clientId: registerRelyingParty.clientId, openid: { scope: 'openid profile' }, iat, exp: iat + 3600,
    })]);
    return registerRelyingParty.clientId as string;
  };
  let systemOfS: Promise<string> | undefined;
  const aRegistrationChallenge = async () => {
    const input = aRegistration({}, w.here);
    const { registerCitizen } = await gql(stack.gatewayUrl, REGISTER, { input });
    return { challengeId: registerCitizen.otpChallengeId as string, code: await lastOtp(stack, input.phone) };
  };
  const aFreshQrOf = async (token: string) => (await gql(stack.gatewayUrl, Q.createQr, {}, token)).createIdentityQr.payload as string;

  const lifecycle = (mutation: 'suspendAccount' | 'reinstateAccount' | 'revokeAccount'): Call => ({
    query: `mutation($id: ID!, $reason: String!) { ${mutation}(accountId: $id, reason: $reason) { id status } }`,
    vars: async ({ who }) => {
      if (who !== 'admin2') return { id: subjectOf(who).accountId, reason: '   ' };
      const fresh = await aPersonAtCounter();
      if (mutation === 'reinstateAccount') await gql(stack.gatewayUrl, Q.suspend, { id: fresh.accountId, reason: 'Để thử khôi phục' }, w.staff.admin2.token);
      return { id: fresh.accountId, reason: 'Kiểm tra theo yêu cầu của cơ quan công an' };
    },
  });
  /** The public operations: a real success for an anonymous caller, an input refused on its merits for the others. */
  const publicCall = (query: string, anonymous: () => Promise<Vars> | Vars, others: () => Vars): Call => ({
    query, vars: ({ who }) => (who === 'anonymous' ? anonymous() : others()),
  });
  const unknownChallenge = () => ({ challengeId: randomUUID(), code: '123456' });

  const CALLS: Record<string, Call> = {
    me: { query: `{ me { id } }` },
    mySessions: { query: `{ mySessions(first: 5) { edges { node { id current } } } }` },
    accountToActivate: {
      query: `query($n: String!) { accountToActivate(documentType: CHIP_ID_CARD, documentNumber: $n) { id level status } }`,
      vars: ({ who }) => ({ n: subjectOf(who).pin }),
    },
    partners: { query: `{ partners(first: 5) { edges { node { id name } } } }` },
    organisation: {
      query: `query($id: ID!) { organisation(id: $id) { id } }`,
      vars: ({ who }) => ({ id: who === 'c2 own' ? w.c2.organisationId : w.S.organisationId }),
    },
    myOrganisations: { query: `{ myOrganisations(first: 5) { edges { node { id } } } }` },
    myDelegations: { query: `{ myDelegations(first: 5) { edges { node { id } } } }` },

    registerCitizen: publicCall(REGISTER, () => ({ input: aRegistration({}, w.here) }), () => ({ input: aRegistration({ personalIdNumber: '12345' }, w.here) })),
    registerForeigner: publicCall(
      `mutation($input: RegisterForeignerInput!) { registerForeigner(input: $input) { otpChallengeId } }`,
      () => ({ input: aForeignerRegistration({}, w.here) }), () => ({ input: aForeignerRegistration({ nationality: 'VN' }, w.here) }),
    ),
    confirmPhone: publicCall(CONFIRM, aRegistrationChallenge, unknownChallenge),
    resendOtp: publicCall(`mutation($challengeId: ID!) { resendOtp(challengeId: $challengeId) { challengeId } }`,
      async () => ({ challengeId: (await aRegistrationChallenge()).challengeId }), () => ({ challengeId: randomUUID() })),
    login: publicCall(LOGIN, () => ({ username: w.E.pin, password: GOOD_PASSWORD }), () => ({ username: `nobody.${unique()}`, password: GOOD_PASSWORD })),
    verifyLoginOtp: publicCall(VERIFY, () => loginChallengeOf(w.E.pin, GOOD_PASSWORD, w.E.mobile), unknownChallenge),
    refreshSession: publicCall(Q.refresh, async () => ({ t: (await loginAs(w.E.pin, GOOD_PASSWORD, w.E.mobile)).refreshToken }), () => ({ t: `not-a-refresh-token-${unique()}` })),
    requestPasswordReset: { query: `mutation($u: String!) { requestPasswordReset(username: $u) { challengeId } }`, vars: () => ({ u: `nobody.${unique()}` }) },
    resetPassword: publicCall(
      `mutation($challengeId: ID!, $code: String!, $p: String!) { resetPassword(challengeId: $challengeId, code: $code, newPassword: $p) }`,
      async () => {
        const person = await aPersonAtCounter();
        return { challengeId: person.setPasswordChallengeId, code: await lastOtp(stack, person.mobile), p: GOOD_PASSWORD };
      },
      () => ({ ...unknownChallenge(), p: GOOD_PASSWORD }),
    ),
    // One call at a time: each is counted against bank+'s failure limit (10) before its secret is checked and given
    // back after, so more than ten right calls at once from one address are RATE_LIMITED (see the report).
    issuePartnerToken: { query: Q.issuePartnerToken, vars: () => ({ id: w.partners.consented.clientId, s: w.partners.consented.clientSecret }), serial: true },

    suspendAccount: lifecycle('suspendAccount'),
    reinstateAccount: lifecycle('reinstateAccount'),
    revokeAccount: lifecycle('revokeAccount'),

    changePassword: {
      query: `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) }`,
      vars: ({ who }) => ({ old: isStaff(who) ? STAFF_PASSWORD : GOOD_PASSWORD, new: 'weak' }),
    },
    logout: {
      query: `mutation { logout }`,
      // A citizen logs out a session of their own made for this cell: the one the other rows use stays.
      token: async ({ who }) => {
        const self = selfOf(who);
        return self ? (await loginAs(self.username, self.password, self.mobile)).accessToken : tokenOf(who);
      },
    },
    revokeSession: {
      query: `mutation($id: ID!) { revokeSession(sessionId: $id) }`,
      vars: async ({ who }) => {
        const self = selfOf(who);
        if (!self) return { id: w.S.sessionId };
        const other = await loginAs(self.username, self.password, self.mobile);
        return { id: decodeJwt(other.accessToken).sid as string };
      },
    },

    activateAccount: {
      query: Q.activate,
      vars: async ({ who }) => {
        if (who === 'here' || who === 'elsewhere' || who === 'C06') {
          const fresh = await aConfirmedCitizen(stack);
          return { id: fresh.accountId, d: cardOf(fresh.input) };
        }
        const subject = who === 'c1 own' ? w.c1 : who === 'c2 own' ? w.c2 : w.S;
        return { id: subject.accountId, d: cardOf({ personalIdNumber: subject.pin, fullName: ' ', dateOfBirth: '1990-04-12', gender: 'FEMALE' }) };
      },
    },
    registerAtCounter: {
      query: Q.registerAtCounter,
      vars: () => ({ input: { phone: aMobile(), document: cardOf({ personalIdNumber: aPersonalIdNumber(1990, 'FEMALE'), fullName: 'Đỗ Thị Hoa', dateOfBirth: '1990-04-12', gender: 'FEMALE' }) } }),
    },
    createIdentityQr: { query: Q.createQr },
    verifyIdentityQr: {
      query: `mutation($p: String!) { verifyIdentityQr(payload: $p) { fullName level } }`,
      vars: async ({ who }) => ({ p: await aFreshQrOf(who === 'c2 own' ? w.c2.token : w.E.qrToken) }),
    },

    registerPartner: {
      query: `mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { clientId } }`,
      vars: () => ({ input: { name: `Ngân hàng Mới ${unique()}`, purpose: 'eKYC', allowedAttributes: ['FULL_NAME'] } }),
    },
    rotatePartnerSecret: { query: `mutation($id: ID!) { rotatePartnerSecret(partnerId: $id) { clientId } }`, vars: async () => ({ id: (await aPartner()).id }) },
    setPartnerActive: { query: `mutation($id: ID!) { setPartnerActive(partnerId: $id, active: false) { id active } }`, vars: async () => ({ id: (await aPartner()).id }) },
    relyingParties: { query: `{ relyingParties(first: 5) { edges { node { id name } } } }` },
    registerRelyingParty: {
      query: `mutation($input: RegisterRelyingPartyInput!) { registerRelyingParty(input: $input) { clientId } }`,
      vars: () => ({ input: aRelyingPartyInput() }),
    },
    setRelyingPartyActive: {
      query: `mutation($id: ID!) { setRelyingPartyActive(relyingPartyId: $id, active: false) { id active } }`,
      vars: async () => ({ id: (await gql(stack.gatewayUrl, `mutation($input: RegisterRelyingPartyInput!) { registerRelyingParty(input: $input) { relyingParty { id } } }`,
        { input: aRelyingPartyInput() }, w.staff.admin2.token)).registerRelyingParty.relyingParty.id }),
    },

    grantConsent: {
      query: Q.grantConsent,
      vars: () => ({ input: { partnerId: w.partners.forGrants.id, attributes: ['FULL_NAME'], purpose: `Thử nghiệm ${unique()}`, expiresAt: inDays(30) } }),
    },
    revokeConnectedSystem: {
      query: `mutation($clientId: String!) { revokeConnectedSystem(clientId: $clientId) }`,
      vars: async ({ who }) => ({ clientId: who === 'c1 own' || who === 'c2 own' ? await aConnectedSystemOf(subjectOf(who).accountId) : await (systemOfS ??= aConnectedSystemOf(w.S.accountId)) }),
    },
    revokeConsent: {
      query: `mutation($id: ID!) { revokeConsent(consentId: $id) { id status } }`,
      vars: async ({ who }) => ({ id: who === 'c1 own' || who === 'c2 own' ? await aConsent(tokenOf(who)!) : w.S.otherConsentId }),
    },
    verifyIdentity: {
      query: `mutation($input: VerifyIdentityInput!) { verifyIdentity(input: $input) { level checks { attribute result } } }`,
      vars: ({ who }) => ({ input: { personalIdNumber: subjectOf(who).pin, fullName: 'Nguyễn Thị Lan', dateOfBirth: '1990-04-12', purpose: PURPOSE } }),
    },

    registerOrganisation: { query: Q.registerOrganisation, vars: () => ({ input: { taxCode: aTaxCode(), name: 'Công ty TNHH Thử nghiệm' } }) },
    actForOrganisation: {
      query: Q.actFor,
      vars: ({ who }) => ({ id: who === 'c2 own' ? w.c2.organisationId : w.S.organisationId }),
      token: ({ who }) => (isStaff(who) ? staffSession(who) : tokenOf(who)),
    },
    grantDelegation: {
      query: Q.grantDelegation,
      vars: ({ who, route }) => (who === 'c2 own'
        // Through the gateway to E, directly to S: two live grants, neither replacing the other.
        ? { input: { organisationId: w.c2.organisationId, delegatePersonalIdNumber: route === 'gateway' ? w.E.pin : w.S.pin, scopes: ['VIEW_DOSSIERS'], expiresAt: inDays(30) } }
        : { input: { organisationId: w.S.organisationId, delegatePersonalIdNumber: w.E.pin, scopes: ['VIEW_DOSSIERS'], expiresAt: inDays(-1) } }),
    },
    revokeDelegation: {
      query: `mutation($id: ID!) { revokeDelegation(delegationId: $id) { id status } }`,
      vars: async ({ who, route }) => {
        if (who !== 'c2 own') return { id: w.S.delegationId };
        const input = { organisationId: w.c2.organisationId, delegatePersonalIdNumber: route === 'gateway' ? w.E.pin : w.S.pin, scopes: ['PAY_FEES'], expiresAt: inDays(30) };
        return { id: (await gql(stack.gatewayUrl, Q.grantDelegation, { input }, w.c2.token)).grantDelegation.id };
      },
    },
  };

  const OWN: ReadonlySet<Caller> = new Set(['c1 own', 'c2 own']);
  function accountField(field: string, selection = field): Call {
    return {
      routes: (who) => (OWN.has(who) ? ['gateway', 'direct'] : ['entity']),
      query: ({ route }) => (route === 'entity'
        ? `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { ${selection} } } }`
        : `{ me { ${selection} } }`),
      vars: ({ route }) => (route === 'entity' ? { r: [{ __typename: 'Account', id: w.S.accountId }] } : {}),
      answer: ({ route }) => (route === 'entity' ? ['_entities', 0, field] : ['me', field]),
    };
  }
  const ACCOUNT_CALLS: Record<string, Call> = Object.fromEntries(Object.keys(ACCOUNT_FIELDS).map((key) => {
    const field = key.slice('Account.'.length);
    const connection = ['statusHistory', 'accessLog', 'consents', 'connectedSystems'].includes(field);
    return [key, accountField(field, connection ? `${field}(first: 1) { edges { node { ${field === 'connectedSystems' ? 'clientId' : 'id'} } } }` : field)];
  }));

  const schemaText = readFileSync(path.join(__dirname, '../../schema/identity.graphql'), 'utf8');
  const fieldsOf = (typeName: string): string[] => parse(schemaText).definitions.flatMap((d: DefinitionNode) =>
    ((d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === typeName
      ? (d.fields ?? []).map((f: FieldDefinitionNode) => f.name.value) : []));

  it('has a row for every root query and mutation of schema/identity.graphql, and a way to ask each', () => {
    const rootFields = [...fieldsOf('Query'), ...fieldsOf('Mutation')].sort();
    expect(Object.keys(ROOT_FIELDS).sort()).toEqual(rootFields);
    expect(Object.keys(CALLS).sort()).toEqual(rootFields);
    // Every Account row names a field the schema has.
    const accountFields = fieldsOf('Account');
    expect(Object.keys(ACCOUNT_FIELDS).map((k) => k.slice('Account.'.length)).filter((f) => !accountFields.includes(f))).toEqual([]);
  });

  beforeAll(async () => {
    const points = (await stack.payments.database.dataSource.query(`SELECT code FROM payments.postal_points WHERE is_open ORDER BY code LIMIT 2`)) as { code: string }[];
    // The builders register people at the first open point (anOpenPostalPointCode): that is `here`.
    [w.here, w.elsewhere] = points.map((p) => p.code);

    // Staff: real accounts, as the demo seed writes them; their tokens name them (no session).
    const passwordHash = await hashPassword(STAFF_PASSWORD);
    const staffClaims: Record<StaffCaller, { role: Role; level: 1 | 2; postalPointCode?: string; agencyCode?: string }> = {
      here: { role: Role.POSTAL_CLERK, level: 2, postalPointCode: w.here },
      elsewhere: { role: Role.POSTAL_CLERK, level: 2, postalPointCode: w.elsewhere },
      'clerk L1': { role: Role.POSTAL_CLERK, level: 1, postalPointCode: w.here },
      C06: { role: Role.OFFICIAL, level: 2, agencyCode: 'C06' },
      agency: { role: Role.OFFICIAL, level: 2, agencyCode: 'CDB' },
      finance: { role: Role.FINANCE, level: 2 },
      admin2: { role: Role.ADMINISTRATOR, level: 2 },
      admin1: { role: Role.ADMINISTRATOR, level: 1 },
    };
    w.staff = Object.fromEntries(await Promise.all(STAFF_CALLERS.map(async (who) => {
      const claims = staffClaims[who];
      const username = `staff.${unique()}`;
      const mobile = aMobile();
      const [{ id }] = (await db().query(
        `INSERT INTO identity.accounts (kind, role, username, full_name, phone, password_hash, level, status, postal_point_code, agency_code)
         VALUES ('CITIZEN', $1, $2, $3, $4, $5, $6, 'ACTIVE', $7, $8) RETURNING id`,
        [claims.role, username, `Cán bộ ${who}`, `+84${mobile.slice(1)}`, passwordHash, `LEVEL_${claims.level}`, claims.postalPointCode ?? null, claims.agencyCode ?? null],
      )) as { id: string }[];
      return [who, { accountId: id, username, mobile, token: await stack.tokenFor({ ...claims, accountId: id }) }];
    }))) as Record<StaffCaller, Staff>;

    // The person S, the two citizens who call, the delegate of another organisation, and E (S's delegate, a QR holder).
    const [s, c1, c2, d, e] = await Promise.all([aLoggedInCitizen(stack), aLoggedInCitizen(stack), aLoggedInCitizen(stack), aLoggedInCitizen(stack), aConfirmedCitizen(stack)]);
    const person = (p: typeof s): Person => ({ accountId: p.accountId, pin: p.input.personalIdNumber as string, mobile: p.input.phone as string, token: p.token, refreshToken: p.refreshToken });
    // S reaches level 2 the real way: the police (C06) check the card, which relates C06 to S from then on.
    await gql(stack.gatewayUrl, Q.activate, { id: s.accountId, d: cardOf(s.input) }, w.staff.C06.token);
    // The others by SQL (activation is not what they are for), then a refresh for level-2 tokens of the same session.
    await db().query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = ANY($1::uuid[])`, [[c2.accountId, d.accountId, e.accountId]]);
    await stack.flushCache();
    const refreshed = async (p: typeof s): Promise<Person> => {
      const { refreshSession } = await gql(stack.gatewayUrl, Q.refresh, { t: p.refreshToken });
      return { ...person(p), token: refreshSession.accessToken, refreshToken: refreshSession.refreshToken };
    };
    const [S, C2, D] = await Promise.all([refreshed(s), refreshed(c2), refreshed(d)]);
    w.c1 = person(c1);
    w.E = {
      accountId: e.accountId, pin: e.input.personalIdNumber as string, mobile: e.input.phone as string, actingToken: '',
      qrToken: await stack.tokenFor({ role: Role.CITIZEN, accountId: e.accountId, level: 2 }),
    };

    // Partners: bank+ (S consents to it), bank- (no consent), and one citizens consent to in the consent rows.
    const [consented, notConsented, forGrants] = [await aPartner(), await aPartner(), await aPartner(['FULL_NAME'])];
    w.partners = {
      consented: { ...consented, token: await partnerToken(consented) },
      notConsented: { ...notConsented, token: await partnerToken(notConsented) },
      forGrants,
    };
    await gql(stack.gatewayUrl, Q.grantConsent, { input: { partnerId: consented.id, attributes: ['FULL_NAME', 'DATE_OF_BIRTH'], purpose: PURPOSE, expiresAt: inDays(30) } }, S.token);

    // O: S's organisation, delegated to E. O2: c2's, delegated to d, who acts for it.
    const O = (await gql(stack.gatewayUrl, Q.registerOrganisation, { input: { taxCode: aTaxCode(), name: 'Công ty TNHH Sao Mai' } }, S.token)).registerOrganisation.id as string;
    const O2 = (await gql(stack.gatewayUrl, Q.registerOrganisation, { input: { taxCode: aTaxCode(), name: 'Công ty Cổ phần Bình Minh' } }, C2.token)).registerOrganisation.id as string;
    const grant = async (organisationId: string, delegatePin: string, token: string) => (await gql(stack.gatewayUrl, Q.grantDelegation, {
      input: { organisationId, delegatePersonalIdNumber: delegatePin, scopes: [DelegationScope.VIEW_DOSSIERS], expiresAt: inDays(30) },
    }, token)).grantDelegation.id as string;
    const delegationOfO = await grant(O, w.E.pin, S.token);
    await grant(O2, D.pin, C2.token);
    const actingToken = (await gql(stack.gatewayUrl, Q.actFor, { id: O2 }, D.token)).actForOrganisation.accessToken as string;
    const eSession = await loginAs(w.E.pin, GOOD_PASSWORD, w.E.mobile);
    w.E.actingToken = (await gql(stack.gatewayUrl, Q.actFor, { id: O }, eSession.accessToken)).actForOrganisation.accessToken as string;

    w.S = { ...S, sessionId: decodeJwt(S.token).sid as string, organisationId: O, delegationId: delegationOfO, otherConsentId: await aConsent(S.token) };
    w.c2 = { ...C2, organisationId: O2 };
    w.d = { ...D, actingToken };
  });

  /**
   * Every row starts with the per-address and per-phone counters forgotten: this file sends a few hundred calls from
   * 127.0.0.1 and logs the same people in many times, which the limits would rightly stop (login-limits.test.ts and
   * the password and registration tests hold the limits themselves). Only the counters go; cached data stays.
   */
  async function forgetRateLimitCounters() {
    const keys = await stack.redis.keys(`${stack.keyPrefix}limit:*`);
    if (keys.length) await stack.redis.del(...keys);
  }

  async function ask(call: Call, who: Caller): Promise<string> {
    const routes = call.routes?.(who) ?? ['gateway', 'direct'];
    const one = async (route: Route) => {
      const a: Ask = { who, route };
      const vars = (await call.vars?.(a)) ?? {};
      const token = call.token ? await call.token(a) : tokenOf(who);
      const query = typeof call.query === 'function' ? call.query(a) : call.query;
      const url = route === 'gateway' ? stack.gatewayUrl : identityUrl();
      const response = await post(url, query, vars, token, route === 'entity' ? { asGatewayTo: 'identity' } : {});
      const rootField = Object.keys((response.data ?? {}) as object)[0] ?? '';
      return outcomeOf(response, call.answer?.(a) ?? [rootField]);
    };
    const outcomes: string[] = [];
    if (call.serial) for (const route of routes) outcomes.push(await one(route));
    else outcomes.push(...await Promise.all(routes.map(one)));
    return outcomes.every((o) => o === outcomes[0]) ? outcomes[0] : routes.map((r, i) => `${r}: ${outcomes[i]}`).join(' ≠ ');
  }

  async function checkRow(row: Row, call: Call) {
    await forgetRateLimitCounters();
    const expected = Object.fromEntries(CALLERS.map((who, i) => [who, row[i]]).filter(([, cell]) => cell !== __));
    const callers = Object.keys(expected) as Caller[];
    // The cells of a row run together (each makes its own subject where it changes something), unless it is serial.
    const actual: Record<string, string> = {};
    if (call.serial) for (const who of callers) actual[who] = await ask(call, who);
    else Object.assign(actual, Object.fromEntries(await Promise.all(callers.map(async (who) => [who, await ask(call, who)]))));
    expect(actual).toEqual(expected);
  }

  describe('root fields', () => {
    it.each(Object.keys(ROOT_FIELDS))('%s', async (field) => {
      await checkRow(ROOT_FIELDS[field], CALLS[field]);
    });
  });

  describe('Account fields (the holder\'s own through me, S\'s through _entities as the gateway sends it)', () => {
    it.each(Object.keys(ACCOUNT_FIELDS))('%s', async (field) => {
      await checkRow(ACCOUNT_FIELDS[field], ACCOUNT_CALLS[field]);
    });
  });
});
