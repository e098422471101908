import { randomInt, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { can, DelegationScope, Role, TokenVerifier } from '../../subgraphs/shared/src';
import { aLoggedInCitizen, aPersonalIdNumber, anOpenPostalPointCode } from '../kit/builders';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

const REGISTER = `mutation($input: RegisterOrganisationInput!) { registerOrganisation(input: $input) { id taxCode name createdAt myRole representative { id } } }`;
const ORGANISATION = `query($id: ID!) { organisation(id: $id) { id taxCode name myRole myDelegation { id scopes } } }`;
const MY_ORGANISATIONS = `{ myOrganisations(first: 100) { edges { node { id myRole } } } }`;
const GRANT = `mutation($input: GrantDelegationInput!) { grantDelegation(input: $input) { id status scopes expiresAt organisationId delegatePersonalIdNumber delegate { id } organisation { id } } }`;
const REVOKE = `mutation($id: ID!) { revokeDelegation(delegationId: $id) { id status revokedAt } }`;
const DELEGATIONS = `query($id: ID!) { organisation(id: $id) { delegations(first: 100) { edges { node { id status scopes delegatePersonalIdNumber delegate { id } } } } } }`;
const MY_DELEGATIONS = `{ myDelegations(first: 100) { edges { node { id status scopes organisationId organisation { id name } } } } }`;
const ACT = `mutation($id: ID!) { actForOrganisation(organisationId: $id) { accessToken tokenType expiresAt scopes organisation { id taxCode } delegation { id status } } }`;
const ACTIVITY = `query($id: ID!, $first: Int, $after: String) {
  organisation(id: $id) { activity(first: $first, after: $after) { edges { node { operation subjectId occurredAt actor { id } delegation { id } } } pageInfo { hasNextPage endCursor } } }
}`;
const ME_ACTING = `{ me { id actingFor { organisationId delegationId scopes organisation { id name } } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const CREATE_QR = `mutation { createIdentityQr { expiresAt } }`;

const codes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);
const identityDb = (stack: Stack) => stack.identity.database.dataSource;
const urlOf = (stack: Stack, subgraph: 'identity' | 'documents' | 'payments') => `${stack[subgraph].url}/graphql`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
/** A tax code nobody in this file has used: 10 digits. */
const aTaxCode = () => `0${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
const ALL_SCOPES = Object.values(DelegationScope);

interface Person { accountId: string; personalIdNumber: string; token: string; refreshToken: string }

/**
 * A citizen raised to level 2 by SQL (activation belongs to another part of the graph), with a real session: the
 * refresh after the change gives a level-2 access token that names its session (`sid`), as actForOrganisation needs.
 */
async function aLevel2Person(stack: Stack): Promise<Person> {
  const citizen = await aLoggedInCitizen(stack);
  await identityDb(stack).query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [citizen.accountId]);
  await stack.flushCache();
  const { refreshSession } = await gql(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken });
  return { accountId: citizen.accountId, personalIdNumber: citizen.input.personalIdNumber as string, token: refreshSession.accessToken, refreshToken: refreshSession.refreshToken };
}

async function anOrganisation(stack: Stack, representative: Person, name = 'Công ty TNHH Sao Mai'): Promise<{ id: string; taxCode: string }> {
  return (await gql(stack.gatewayUrl, REGISTER, { input: { taxCode: aTaxCode(), name } }, representative.token)).registerOrganisation;
}

async function grant(stack: Stack, representative: Person, organisationId: string, delegate: Person, scopes = [DelegationScope.VIEW_DOSSIERS], expiresAt = inDays(30)) {
  return (await gql(stack.gatewayUrl, GRANT, { input: { organisationId, delegatePersonalIdNumber: delegate.personalIdNumber, scopes, expiresAt } }, representative.token)).grantDelegation;
}

async function act(stack: Stack, person: Person, organisationId: string) {
  return (await gql(stack.gatewayUrl, ACT, { id: organisationId }, person.token)).actForOrganisation;
}

const rowCounts = async (stack: Stack) => (await identityDb(stack).query(`
  SELECT (SELECT count(*) FROM identity.organisations)::int AS organisations, (SELECT count(*) FROM identity.delegations)::int AS delegations,
         (SELECT count(*) FROM identity.organisation_activity)::int AS activity`))[0];

describe('organisations, delegations and acting for an organisation', () => {
  const stack = useStack({ postalPoints: 40 });
  let representative: Person;
  let delegate: Person;
  let stranger: Person;
  let level1: { accountId: string; personalIdNumber: string; token: string };

  beforeAll(async () => {
    [representative, delegate, stranger] = [await aLevel2Person(stack), await aLevel2Person(stack), await aLevel2Person(stack)];
    const citizen = await aLoggedInCitizen(stack);
    level1 = { accountId: citizen.accountId, personalIdNumber: citizen.input.personalIdNumber as string, token: citizen.token };
  });

  describe('registering an organisation', () => {
    it.each([
      ['0101234567', '0101234567'],
      ['0101234567-001', '0101234567-001'],
      ['0101234567002', '0101234567-002'],
      [' 0312 345 678 ', '0312345678'],
    ])('takes the tax code %j and stores it as %j; the registrant is its legal representative', async (typed, stored) => {
      const { registerOrganisation } = await gql(stack.gatewayUrl, REGISTER, { input: { taxCode: typed, name: '  Công ty Cổ phần  Bình Minh ' } }, representative.token);
      expect(registerOrganisation).toMatchObject({ taxCode: stored, name: 'Công ty Cổ phần Bình Minh', myRole: 'REPRESENTATIVE', representative: { id: representative.accountId } });
      const [row] = await identityDb(stack).query(`SELECT tax_code, representative_account_id FROM identity.organisations WHERE id = $1`, [registerOrganisation.id]);
      expect(row).toEqual({ tax_code: stored, representative_account_id: representative.accountId });
    });

    it('refuses a tax code already registered, however it is written, with CONFLICT and nothing written', async () => {
      const taxCode = aTaxCode();
      await gql(stack.gatewayUrl, REGISTER, { input: { taxCode: `${taxCode}-007`, name: 'Chi nhánh Hà Nội' } }, representative.token);
      const before = await rowCounts(stack);
      for (const [token, typed] of [[representative.token, `${taxCode}007`], [stranger.token, ` ${taxCode} - 007`]]) {
        const response = await post(stack.gatewayUrl, REGISTER, { input: { taxCode: typed, name: 'Chi nhánh khác' } }, token);
        expect(response.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'taxCode' });
      }
      expect(await rowCounts(stack)).toEqual(before);
    });

    it('names every problem of a registration at once', async () => {
      const response = await post(stack.gatewayUrl, REGISTER, { input: { taxCode: '0101234567-000', name: ' ' } }, representative.token);
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'taxCode' }, { field: 'name' }] });
    });

    it.each<[string, (() => Promise<string | undefined>)]>([
      ['anonymous → UNAUTHENTICATED', async () => undefined],
      ['a level-1 citizen → FORBIDDEN', async () => level1.token],
      ['a citizen whose token says level 2 but whose account is level 1 → FORBIDDEN', async () => stack.tokenFor({ role: Role.CITIZEN, accountId: level1.accountId, level: 2 })],
      ['a postal clerk → FORBIDDEN', async () => stack.tokenFor({ role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' })],
      ['an official → FORBIDDEN', async () => stack.tokenFor({ role: Role.OFFICIAL, agencyCode: 'C06' })],
      ['a partner bank → FORBIDDEN', async () => stack.tokenFor({ role: Role.PARTNER_BANK, level: 1 })],
      ['finance → FORBIDDEN', async () => stack.tokenFor({ role: Role.FINANCE })],
      ['an administrator → FORBIDDEN', async () => stack.tokenFor({ role: Role.ADMINISTRATOR })],
    ])('is refused to %s, and writes nothing', async (who, tokenOf) => {
      const before = await rowCounts(stack);
      const response = await post(stack.gatewayUrl, REGISTER, { input: { taxCode: aTaxCode(), name: 'Công ty X' } }, await tokenOf());
      expect(codes(response)).toEqual([who.split('→ ')[1]]);
      expect(await rowCounts(stack)).toEqual(before);
    });

    it('is refused to a representative suspended since their token was issued', async () => {
      const person = await aLevel2Person(stack);
      await identityDb(stack).query(`UPDATE identity.accounts SET status = 'SUSPENDED' WHERE id = $1`, [person.accountId]);
      expect(codes(await post(stack.gatewayUrl, REGISTER, { input: { taxCode: aTaxCode(), name: 'Công ty Y' } }, person.token))).toEqual(['FORBIDDEN']);
    });
  });

  describe('who sees an organisation', () => {
    it('its representative and live delegates (each with their role), administrators; nobody else, who gets null', async () => {
      const organisation = await anOrganisation(stack, representative);
      const delegation = await grant(stack, representative, organisation.id, delegate, [DelegationScope.VIEW_DOSSIERS, DelegationScope.PAY_FEES]);
      const seen = async (token: string) => (await gql(stack.gatewayUrl, ORGANISATION, { id: organisation.id }, token)).organisation;
      expect(await seen(representative.token)).toMatchObject({ id: organisation.id, myRole: 'REPRESENTATIVE', myDelegation: null });
      expect(await seen(delegate.token)).toMatchObject({ id: organisation.id, myRole: 'DELEGATE', myDelegation: { id: delegation.id, scopes: ['VIEW_DOSSIERS', 'PAY_FEES'] } });
      expect(await seen(await stack.tokenFor({ role: Role.ADMINISTRATOR }))).toMatchObject({ id: organisation.id, myRole: null });
      expect(await seen(stranger.token)).toBeNull();
      expect(await seen(await stack.tokenFor({ role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' }))).toBeNull();
      expect(codes(await post(stack.gatewayUrl, ORGANISATION, { id: organisation.id }))).toEqual(['UNAUTHENTICATED']);

      const mine = async (token: string) => (await gql(stack.gatewayUrl, MY_ORGANISATIONS, {}, token)).myOrganisations.edges.map((e: any) => e.node);
      expect(await mine(representative.token)).toContainEqual({ id: organisation.id, myRole: 'REPRESENTATIVE' });
      expect(await mine(delegate.token)).toContainEqual({ id: organisation.id, myRole: 'DELEGATE' });
      expect((await mine(stranger.token)).map((o: { id: string }) => o.id)).not.toContain(organisation.id);
    });
  });

  describe('delegations', () => {
    it('are granted by the representative to a level-2 citizen by ID number, listed for both, and replaced by a new grant', async () => {
      const organisation = await anOrganisation(stack, representative);
      const first = await grant(stack, representative, organisation.id, delegate, [DelegationScope.SUBMIT_DOSSIERS, DelegationScope.VIEW_DOSSIERS, DelegationScope.SUBMIT_DOSSIERS]);
      expect(first).toMatchObject({
        status: 'ACTIVE', scopes: ['SUBMIT_DOSSIERS', 'VIEW_DOSSIERS'], organisationId: organisation.id, organisation: { id: organisation.id },
        delegatePersonalIdNumber: delegate.personalIdNumber, delegate: { id: delegate.accountId },
      });
      const second = await grant(stack, representative, organisation.id, delegate, [DelegationScope.PAY_FEES]);

      const listed = (await gql(stack.gatewayUrl, DELEGATIONS, { id: organisation.id }, representative.token)).organisation.delegations.edges.map((e: any) => e.node);
      expect(listed.map((d: any) => [d.id, d.status])).toEqual([[second.id, 'ACTIVE'], [first.id, 'REPLACED']]);
      const held = (await gql(stack.gatewayUrl, MY_DELEGATIONS, {}, delegate.token)).myDelegations.edges.map((e: any) => e.node);
      expect(held.filter((d: any) => d.organisationId === organisation.id).map((d: any) => [d.id, d.status, d.scopes])).toEqual([
        [second.id, 'ACTIVE', ['PAY_FEES']], [first.id, 'REPLACED', ['SUBMIT_DOSSIERS', 'VIEW_DOSSIERS']],
      ]);
      expect((await gql(stack.gatewayUrl, MY_DELEGATIONS, {}, stranger.token)).myDelegations.edges.map((e: any) => e.node.id)).not.toContain(second.id);
      // An administrator lists them too, but reads the delegate's number only through the account (and the holder's access log).
      const asAdministrator = (await gql(stack.gatewayUrl, DELEGATIONS, { id: organisation.id }, await stack.tokenFor({ role: Role.ADMINISTRATOR }))).organisation.delegations.edges;
      expect(asAdministrator.map((e: any) => [e.node.id, e.node.delegatePersonalIdNumber])).toEqual([[second.id, null], [first.id, null]]);
    });

    describe('are refused with a clear error, and nothing written', () => {
      let organisation: { id: string };
      beforeAll(async () => { organisation = await anOrganisation(stack, representative); });
      const tryGrant = async (input: Record<string, unknown>, token = representative.token) => {
        const before = await rowCounts(stack);
        const response = await post(stack.gatewayUrl, GRANT, { input: { organisationId: organisation.id, scopes: ['VIEW_DOSSIERS'], expiresAt: inDays(30), ...input } }, token);
        expect(await rowCounts(stack)).toEqual(before);
        return response.errors?.[0];
      };
      const NOBODY = 'No citizen account active at level 2 has this personal identification number.';

      it('to the representative themselves', async () => {
        expect((await tryGrant({ delegatePersonalIdNumber: representative.personalIdNumber }))?.extensions).toMatchObject({
          code: 'BAD_USER_INPUT', problems: [{ field: 'delegatePersonalIdNumber', message: expect.stringMatching(/your own number/) }],
        });
      });

      it('to an unknown number and to a level-1 citizen alike (it tells nobody who is registered)', async () => {
        const unknown = await tryGrant({ delegatePersonalIdNumber: aPersonalIdNumber() });
        const levelOne = await tryGrant({ delegatePersonalIdNumber: level1.personalIdNumber });
        for (const error of [unknown, levelOne]) {
          expect({ code: error?.extensions?.code, problems: error?.extensions?.problems }).toEqual({ code: 'BAD_USER_INPUT', problems: [{ field: 'delegatePersonalIdNumber', message: NOBODY }] });
        }
        expect(levelOne?.message).toBe(unknown?.message);
      });

      it('with every problem of the input at once', async () => {
        const error = await tryGrant({ delegatePersonalIdNumber: level1.personalIdNumber, scopes: [], expiresAt: inDays(366) });
        expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'delegatePersonalIdNumber' }, { field: 'scopes' }, { field: 'expiresAt' }] });
        expect((await tryGrant({ delegatePersonalIdNumber: delegate.personalIdNumber, expiresAt: inDays(-1) }))?.extensions)
          .toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'expiresAt' }] });
      });

      it('to a suspended citizen', async () => {
        const person = await aLevel2Person(stack);
        await identityDb(stack).query(`UPDATE identity.accounts SET status = 'SUSPENDED' WHERE id = $1`, [person.accountId]);
        expect((await tryGrant({ delegatePersonalIdNumber: person.personalIdNumber }))?.extensions).toMatchObject({ problems: [{ message: NOBODY }] });
      });
    });

    /** Who may grant, revoke and list: the representative alone manages; administrators read; a delegate sees only its own. */
    it.each<[string, () => Promise<string>, { grant: string; revoke: string; list: string }]>([
      ['a delegate', async () => delegate.token, { grant: 'FORBIDDEN', revoke: 'FORBIDDEN', list: 'FORBIDDEN' }],
      ['a stranger (a level-2 citizen)', async () => stranger.token, { grant: 'NOT_FOUND', revoke: 'NOT_FOUND', list: 'null' }],
      ['an administrator', async () => stack.tokenFor({ role: Role.ADMINISTRATOR }), { grant: 'FORBIDDEN', revoke: 'FORBIDDEN', list: 'listed' }],
      ['a postal clerk', async () => stack.tokenFor({ role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' }), { grant: 'NOT_FOUND', revoke: 'NOT_FOUND', list: 'null' }],
    ])('are managed by the representative alone: %s', async (_who, tokenOf, expected) => {
      const organisation = await anOrganisation(stack, representative);
      const delegation = await grant(stack, representative, organisation.id, delegate);
      const token = await tokenOf();
      const before = await rowCounts(stack);
      const granted = await post(stack.gatewayUrl, GRANT, { input: { organisationId: organisation.id, delegatePersonalIdNumber: stranger.personalIdNumber, scopes: ['PAY_FEES'], expiresAt: inDays(10) } }, token);
      const revoked = await post(stack.gatewayUrl, REVOKE, { id: delegation.id }, token);
      const listed = await post(stack.gatewayUrl, DELEGATIONS, { id: organisation.id }, token);
      expect({
        grant: codes(granted)[0], revoke: codes(revoked)[0],
        list: listed.errors ? codes(listed)[0] : (listed.data as any).organisation === null ? 'null' : 'listed',
      }).toEqual(expected);
      expect(await rowCounts(stack)).toEqual(before);
      // The representative can.
      expect((await gql(stack.gatewayUrl, REVOKE, { id: delegation.id }, representative.token)).revokeDelegation).toMatchObject({ id: delegation.id, status: 'REVOKED' });
      // Revoking twice changes nothing and records nothing more.
      const afterRevoke = await rowCounts(stack);
      expect((await gql(stack.gatewayUrl, REVOKE, { id: delegation.id }, representative.token)).revokeDelegation.status).toBe('REVOKED');
      expect(await rowCounts(stack)).toEqual(afterRevoke);
    });
  });

  describe('acting for an organisation', () => {
    const verifier = () => new TokenVerifier({ jwksUrl: `${stack.identity.url}/.well-known/jwks.json` }, 'national-identity-graph');

    it("gives a delegate an access token like any other: sub the person, act_for naming the organisation, the delegation and its scopes", async () => {
      const organisation = await anOrganisation(stack, representative);
      const delegation = await grant(stack, representative, organisation.id, delegate, [DelegationScope.VIEW_DOSSIERS, DelegationScope.PAY_FEES]);
      const acting = await act(stack, delegate, organisation.id);
      expect(acting).toMatchObject({ tokenType: 'Bearer', scopes: ['VIEW_DOSSIERS', 'PAY_FEES'], organisation: { id: organisation.id }, delegation: { id: delegation.id, status: 'ACTIVE' } });

      expect(decodeProtectedHeader(acting.accessToken)).toEqual(decodeProtectedHeader(delegate.token));
      expect(decodeProtectedHeader(acting.accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
      const claims = decodeJwt(acting.accessToken);
      const own = decodeJwt(delegate.token);
      expect(claims).toMatchObject({
        sub: delegate.accountId, role: 'CITIZEN', level: 2, iss: own.iss, aud: own.aud, sid: own.sid,
        act_for: { organisation_id: organisation.id, delegation_id: delegation.id, scopes: ['VIEW_DOSSIERS', 'PAY_FEES'] },
      });
      expect(claims.jti).not.toBe(own.jti);
      expect(claims.exp! - claims.iat!).toBe(15 * 60);
      expect(new Date(acting.expiresAt).getTime()).toBe(claims.exp! * 1000);

      // What every subgraph reads from it: the same principal, acting for the organisation.
      const principal = await verifier().verify(acting.accessToken);
      expect(principal).toMatchObject({ accountId: delegate.accountId, role: Role.CITIZEN, level: 2, actingFor: { organisationId: organisation.id, delegationId: delegation.id, scopes: ['VIEW_DOSSIERS', 'PAY_FEES'] } });
      // The rule other subgraphs ask: within its scopes, for this organisation only.
      expect(can(principal, 'organisation.act', { organisationId: organisation.id, scope: DelegationScope.VIEW_DOSSIERS })).toBe(true);
      expect(can(principal, 'organisation.act', { organisationId: organisation.id, scope: DelegationScope.SUBMIT_DOSSIERS })).toBe(false);
      expect(can(principal, 'organisation.act', { organisationId: randomUUID(), scope: DelegationScope.VIEW_DOSSIERS })).toBe(false);
      expect(can(await verifier().verify(delegate.token), 'organisation.act', { organisationId: organisation.id, scope: DelegationScope.VIEW_DOSSIERS })).toBe(false);
    });

    it('gives the representative every scope, under no delegation', async () => {
      const organisation = await anOrganisation(stack, representative);
      const acting = await act(stack, representative, organisation.id);
      expect(acting).toMatchObject({ scopes: ALL_SCOPES, delegation: null });
      expect(decodeJwt(acting.accessToken).act_for).toEqual({ organisation_id: organisation.id, delegation_id: null, scopes: ALL_SCOPES });
    });

    it('never lives past the delegation', async () => {
      const organisation = await anOrganisation(stack, representative);
      const delegation = await grant(stack, representative, organisation.id, delegate, [DelegationScope.VIEW_DOSSIERS], new Date(Date.now() + 6 * 60_000).toISOString());
      const claims = decodeJwt((await act(stack, delegate, organisation.id)).accessToken);
      expect(claims.exp).toBe(Math.floor(new Date(delegation.expiresAt).getTime() / 1000));
      expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(6 * 60);
    });

    it('is accepted by the gateway and every subgraph, directly too; identity\'s `me` still answers for the person and says whom they act for', async () => {
      const organisation = await anOrganisation(stack, representative, 'Hợp tác xã Thành Công');
      const delegation = await grant(stack, representative, organisation.id, delegate, [DelegationScope.VIEW_DOSSIERS]);
      const { accessToken } = await act(stack, delegate, organisation.id);
      const pointCode = await anOpenPostalPointCode(stack);
      const everything = await gql(stack.gatewayUrl, `{ me { id actingFor { organisationId delegationId scopes organisation { name } } dossiers { edges { node { id } } } } postalPoint(code: "${pointCode}") { code } publicService(code: "GPLX_EXCHANGE") { code } }`, {}, accessToken);
      expect(everything).toEqual({
        me: { id: delegate.accountId, actingFor: { organisationId: organisation.id, delegationId: delegation.id, scopes: ['VIEW_DOSSIERS'], organisation: { name: 'Hợp tác xã Thành Công' } }, dossiers: { edges: [] } },
        postalPoint: { code: pointCode }, publicService: { code: 'GPLX_EXCHANGE' },
      });
      expect((await gql(urlOf(stack, 'identity'), ME_ACTING, {}, accessToken)).me.actingFor).toMatchObject({ organisationId: organisation.id, delegationId: delegation.id });
      expect((await gql(urlOf(stack, 'documents'), `{ publicService(code: "GPLX_EXCHANGE") { code } }`, {}, accessToken)).publicService.code).toBe('GPLX_EXCHANGE');
      expect((await gql(urlOf(stack, 'payments'), `{ postalPoint(code: "${pointCode}") { code } }`, {}, accessToken)).postalPoint.code).toBe(pointCode);
      // The person's own token acts for nobody.
      expect((await gql(stack.gatewayUrl, ME_ACTING, {}, delegate.token)).me).toEqual({ id: delegate.accountId, actingFor: null });
    });

    it('is refused everywhere when its act_for claim has the wrong shape', async () => {
      const organisationId = randomUUID();
      for (const actFor of [
        { organisation_id: organisationId, delegation_id: null, scopes: ['EVERYTHING'] },
        { organisation_id: 'org-1', delegation_id: null, scopes: ['PAY_FEES'] },
        { organisation_id: organisationId, scopes: ['PAY_FEES'] },
        'everything',
      ]) {
        const token = await stack.tokenFor({ role: Role.CITIZEN }, { claims: { act_for: actFor } });
        for (const url of [stack.gatewayUrl, urlOf(stack, 'identity'), urlOf(stack, 'documents'), urlOf(stack, 'payments')]) {
          const response = await post(url, `{ __typename }`, {}, token);
          expect({ url, status: response.status, codes: codes(response) }).toEqual({ url, status: 401, codes: ['UNAUTHENTICATED'] });
        }
      }
    });

    it('is not renewed by refreshing: refreshSession gives the person\'s own token back', async () => {
      const person = await aLevel2Person(stack);
      const organisation = await anOrganisation(stack, person);
      const acting = await act(stack, person, organisation.id);
      const { refreshSession } = await gql(stack.gatewayUrl, REFRESH, { t: person.refreshToken });
      expect(decodeJwt(refreshSession.accessToken)).not.toHaveProperty('act_for');
      expect(decodeJwt(refreshSession.accessToken).sid).toBe(decodeJwt(acting.accessToken).sid);
      expect((await gql(stack.gatewayUrl, ME_ACTING, {}, refreshSession.accessToken)).me.actingFor).toBeNull();
    });

    it('needs the token of a live session', async () => {
      const person = await aLevel2Person(stack);
      const organisation = await anOrganisation(stack, person);
      // A token that names no session (signed by identity's key, but not at a login).
      const sessionless = await stack.tokenFor({ role: Role.CITIZEN, accountId: person.accountId, level: 2 });
      expect(codes(await post(stack.gatewayUrl, ACT, { id: organisation.id }, sessionless))).toEqual(['UNAUTHENTICATED']);
      // A session that has ended (logout): its access token lives out its minutes, but acts for nobody.
      await gql(stack.gatewayUrl, `mutation { logout }`, {}, person.token);
      expect(codes(await post(stack.gatewayUrl, ACT, { id: organisation.id }, person.token))).toEqual(['UNAUTHENTICATED']);
    });

    it.each<[string, () => Promise<{ token: string; organisationId: string }>, string]>([
      ['a stranger', async () => ({ token: stranger.token, organisationId: (await anOrganisation(stack, representative)).id }), 'NOT_FOUND'],
      ['anyone, for an unknown organisation', async () => ({ token: delegate.token, organisationId: randomUUID() }), 'NOT_FOUND'],
      ['its representative, suspended since their token was issued', async () => {
        const person = await aLevel2Person(stack);
        const organisation = await anOrganisation(stack, person);
        await identityDb(stack).query(`UPDATE identity.accounts SET status = 'SUSPENDED' WHERE id = $1`, [person.accountId]);
        return { token: person.token, organisationId: organisation.id };
      }, 'FORBIDDEN'],
    ])('is refused to %s', async (_who, setup, code) => {
      const { token, organisationId } = await setup();
      const before = await rowCounts(stack);
      expect(codes(await post(stack.gatewayUrl, ACT, { id: organisationId }, token))).toEqual([code]);
      expect(await rowCounts(stack)).toEqual(before);
    });

    it('stops under a revoked delegation: no new token; identity refuses the old one at once, the gateway and the other subgraphs within a second', async () => {
      const person = await aLevel2Person(stack);
      const organisation = await anOrganisation(stack, representative);
      const delegation = await grant(stack, representative, organisation.id, person, [DelegationScope.VIEW_DOSSIERS]);
      const acting = await act(stack, person, organisation.id);
      // Before the revocation, an identity mutation works with it (and is recorded, see below).
      expect((await gql(stack.gatewayUrl, CREATE_QR, {}, acting.accessToken)).createIdentityQr.expiresAt).toBeTruthy();
      await gql(stack.gatewayUrl, REVOKE, { id: delegation.id }, representative.token);

      const refused = await post(stack.gatewayUrl, ACT, { id: organisation.id }, person.token);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'DELEGATION_REVOKED' });
      expect(refused.errors?.[0].message).toMatch(/revoked/);
      const old = await post(stack.gatewayUrl, CREATE_QR, {}, acting.accessToken);
      // Refused as the token is read (the revocation list), before the mutation's own check (ACT_ENDED) is reached.
      expect(old.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'DELEGATION_ENDED' });
      // Documents and payments learn of the revocation from identity's events: they refuse the token long before its exp.
      expect(decodeJwt(acting.accessToken).exp! - decodeJwt(acting.accessToken).iat!).toBeLessThanOrEqual(15 * 60);
      for (const [subgraph, query] of [['documents', `{ publicService(code: "GPLX_EXCHANGE") { code } }`], ['payments', `{ __typename }`]] as const) {
        await expect.poll(async () => (await post(urlOf(stack, subgraph), query, {}, acting.accessToken)).errors?.[0].extensions, { timeout: 5_000, interval: 50 })
          .toMatchObject({ code: 'UNAUTHENTICATED', reason: 'DELEGATION_ENDED' });
      }
      // The former delegate no longer sees the organisation.
      expect((await gql(stack.gatewayUrl, ORGANISATION, { id: organisation.id }, person.token)).organisation).toBeNull();
      expect((await gql(stack.gatewayUrl, MY_ORGANISATIONS, {}, person.token)).myOrganisations.edges).toEqual([]);
      expect((await gql(stack.gatewayUrl, MY_DELEGATIONS, {}, person.token)).myDelegations.edges.map((e: any) => e.node)).toEqual([
        { id: delegation.id, status: 'REVOKED', scopes: ['VIEW_DOSSIERS'], organisationId: organisation.id, organisation: null },
      ]);
    });

    it('stops under an expired delegation', async () => {
      const person = await aLevel2Person(stack);
      const organisation = await anOrganisation(stack, representative);
      const delegation = await grant(stack, representative, organisation.id, person);
      await identityDb(stack).query(`UPDATE identity.delegations SET granted_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE id = $1`, [delegation.id]);
      const refused = await post(stack.gatewayUrl, ACT, { id: organisation.id }, person.token);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'DELEGATION_EXPIRED' });
      expect((await gql(stack.gatewayUrl, MY_DELEGATIONS, {}, person.token)).myDelegations.edges[0].node.status).toBe('EXPIRED');
    });
  });

  describe('the organisation activity log', () => {
    it('records every act: registration, grants, revocations, tokens to act and each identity mutation sent with one; its representative reads it page by page', async () => {
      const person = await aLevel2Person(stack);
      const organisation = await anOrganisation(stack, representative);
      const delegation = await grant(stack, representative, organisation.id, person, [DelegationScope.SUBMIT_DOSSIERS]);
      const acting = await act(stack, person, organisation.id);
      await gql(stack.gatewayUrl, CREATE_QR, {}, acting.accessToken);
      // A mutation refused after its record still shows: it was attempted for the organisation.
      expect(codes(await post(stack.gatewayUrl, `mutation($id: ID!) { revokeSession(sessionId: $id) }`, { id: randomUUID() }, acting.accessToken))).toEqual(['NOT_FOUND']);
      // A query does not act: nothing is recorded for it.
      await gql(stack.gatewayUrl, ME_ACTING, {}, acting.accessToken);
      await gql(stack.gatewayUrl, REVOKE, { id: delegation.id }, representative.token);

      const all = (await gql(stack.gatewayUrl, ACTIVITY, { id: organisation.id, first: 100 }, representative.token)).organisation.activity.edges.map((e: any) => e.node);
      expect(all.map((e: any) => [e.operation, e.actor.id, e.delegation?.id ?? null, e.subjectId])).toEqual([
        ['revokeDelegation', representative.accountId, null, delegation.id],
        ['revokeSession', person.accountId, delegation.id, null],
        ['createIdentityQr', person.accountId, delegation.id, null],
        ['actForOrganisation', person.accountId, delegation.id, null],
        ['grantDelegation', representative.accountId, null, delegation.id],
        ['registerOrganisation', representative.accountId, null, null],
      ]);

      const pages: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = (await gql(stack.gatewayUrl, ACTIVITY, { id: organisation.id, first: 4, after }, representative.token)).organisation.activity;
        pages.push(...page.edges.map((e: any) => e.node.operation));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(pages).toEqual(all.map((e: any) => e.operation));

      // Read by its representative and administrators; a delegate is refused.
      expect((await gql(stack.gatewayUrl, ACTIVITY, { id: organisation.id }, await stack.tokenFor({ role: Role.ADMINISTRATOR }))).organisation.activity.edges).toHaveLength(6);
      const other = await anOrganisation(stack, representative);
      await grant(stack, representative, other.id, person);
      expect(codes(await post(stack.gatewayUrl, ACTIVITY, { id: other.id }, person.token))).toEqual(['FORBIDDEN']);
    });

    it('is append-only in the database itself', async () => {
      for (const sql of [`UPDATE identity.organisation_activity SET operation = 'x'`, `DELETE FROM identity.organisation_activity`, `TRUNCATE identity.organisation_activity CASCADE`]) {
        await expect(identityDb(stack).query(sql)).rejects.toThrow(/append-only/);
      }
    });
  });

  /** Each new root field answers a direct call to identity exactly as it answers through the gateway, for every role. */
  describe('direct calls to identity behave like the gateway', () => {
    const ROLES: [string, TestTokenClaims | null][] = [
      ['anonymous', null],
      ['a citizen', { role: Role.CITIZEN }],
      ['a level-1 citizen', { role: Role.CITIZEN, level: 1 }],
      ['a postal clerk', { role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' }],
      ['a partner bank', { role: Role.PARTNER_BANK, level: 1 }],
      ['an administrator', { role: Role.ADMINISTRATOR }],
    ];
    const unknown = randomUUID();
    const OPERATIONS: [string, string, () => Record<string, unknown>][] = [
      ['organisation', ORGANISATION, () => ({ id: unknown })],
      ['myOrganisations', MY_ORGANISATIONS, () => ({})],
      ['myDelegations', MY_DELEGATIONS, () => ({})],
      ['registerOrganisation', REGISTER, () => ({ input: { taxCode: aTaxCode(), name: 'Công ty Z' } })],
      ['registerOrganisation (bad input)', REGISTER, () => ({ input: { taxCode: '123', name: '' } })],
      ['grantDelegation (unknown organisation)', GRANT, () => ({ input: { organisationId: unknown, delegatePersonalIdNumber: aPersonalIdNumber(), scopes: ['PAY_FEES'], expiresAt: inDays(5) } })],
      ['revokeDelegation (unknown)', REVOKE, () => ({ id: unknown })],
      ['actForOrganisation (unknown)', ACT, () => ({ id: unknown })],
    ];
    const shape = (response: GraphQLResponse<Record<string, unknown>>) => ({
      status: response.status,
      codes: codes(response),
      problems: response.errors?.map((e) => e.extensions?.problems ?? null),
      answered: response.data ? Object.fromEntries(Object.entries(response.data).map(([field, value]) => [field, value !== null])) : null,
    });

    it.each(OPERATIONS)('%s', async (_name, query, variables) => {
      for (const [who, claims] of ROLES) {
        const token = claims ? await stack.tokenFor(claims) : undefined;
        const direct = await post(urlOf(stack, 'identity'), query, variables(), token);
        const viaGateway = await post(stack.gatewayUrl, query, variables(), token);
        expect({ who, ...shape(direct) }).toEqual({ who, ...shape(viaGateway) });
      }
    });

    it('the same for a real representative, a delegate and their act tokens', async () => {
      const organisation = await anOrganisation(stack, representative);
      await grant(stack, representative, organisation.id, delegate);
      const actingToken = (await act(stack, delegate, organisation.id)).accessToken;
      for (const token of [representative.token, delegate.token, actingToken]) {
        for (const query of [ORGANISATION, DELEGATIONS, ME_ACTING, MY_DELEGATIONS]) {
          const direct = await post<Record<string, unknown>>(urlOf(stack, 'identity'), query, { id: organisation.id }, token);
          const viaGateway = await post<Record<string, unknown>>(stack.gatewayUrl, query, { id: organisation.id }, token);
          expect({ query, ...shape(direct), data: direct.data }).toEqual({ query, ...shape(viaGateway), data: viaGateway.data });
        }
      }
    });
  });
});

describe('dossiers submitted for an organisation (documents checks organisation.act)', () => {
  const stack = useStack({ postalPoints: 20 });
  const SUBMIT = `mutation { submitDossier(input: { serviceCode: "PROMOTION_NOTICE", acceptDeclaration: true }) { id organisation { id name } applicant { id } } }`;
  const ORG_DOSSIERS = `query($id: ID!) { organisation(id: $id) { id dossiers(first: 10) { edges { node { id organisation { id } } } } } }`;
  const DOSSIER = `query($id: ID!) { dossier(id: $id) { id } }`;

  it('a delegate with SUBMIT_DOSSIERS submits for it, one with VIEW_DOSSIERS sees its dossiers, others cannot; the representative reads the act in the activity log', async () => {
    const [representative, submitter, viewer, payer, stranger] = await Promise.all([1, 2, 3, 4, 5].map(() => aLevel2Person(stack)));
    const organisation = await anOrganisation(stack, representative, 'Công ty Cổ phần Hồ Gươm');
    await grant(stack, representative, organisation.id, submitter, [DelegationScope.SUBMIT_DOSSIERS]);
    await grant(stack, representative, organisation.id, viewer, [DelegationScope.VIEW_DOSSIERS]);
    await grant(stack, representative, organisation.id, payer, [DelegationScope.PAY_FEES]);

    const asSubmitter = (await act(stack, submitter, organisation.id)).accessToken;
    const { submitDossier } = await gql(stack.gatewayUrl, SUBMIT, {}, asSubmitter);
    expect(submitDossier).toMatchObject({ organisation: { id: organisation.id, name: 'Công ty Cổ phần Hồ Gươm' }, applicant: { id: submitter.accountId } });

    // Outside the delegation's scope: refused, nothing submitted.
    const asPayer = (await act(stack, payer, organisation.id)).accessToken;
    expect(codes(await post(stack.gatewayUrl, SUBMIT, {}, asPayer))).toEqual(['FORBIDDEN']);

    const asViewer = (await act(stack, viewer, organisation.id)).accessToken;
    const listed = (await gql(stack.gatewayUrl, ORG_DOSSIERS, { id: organisation.id }, asViewer)).organisation.dossiers.edges.map((e: any) => e.node.id);
    expect(listed).toEqual([submitDossier.id]);
    expect((await gql(stack.gatewayUrl, DOSSIER, { id: submitDossier.id }, asViewer)).dossier).toEqual({ id: submitDossier.id });
    // The same people without acting, another scope, a stranger: the list is refused, the dossier is not shown.
    for (const token of [viewer.token, asPayer, stranger.token]) {
      expect((await gql(stack.gatewayUrl, DOSSIER, { id: submitDossier.id }, token)).dossier).toBeNull();
    }
    expect(codes(await post(`${stack.documents.url}/graphql`, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { dossiers { edges { node { id } } } } } }`,
      { r: [{ __typename: 'Organisation', id: organisation.id }] }, asPayer, { asGatewayTo: 'documents' }))).toEqual(['FORBIDDEN']);
    // The applicant still sees what they submitted, as themself.
    expect((await gql(stack.gatewayUrl, DOSSIER, { id: submitDossier.id }, submitter.token)).dossier).toEqual({ id: submitDossier.id });

    // Documents tells identity (an event); the act appears in the organisation's activity log.
    await expect.poll(async () => {
      const { organisation: o } = await gql(stack.gatewayUrl, `query($id: ID!) { organisation(id: $id) { activity(first: 20) { edges { node { operation subjectId actor { id } } } } } }`, { id: organisation.id }, representative.token);
      return o.activity.edges.map((e: any) => e.node).filter((n: any) => n.operation === 'submitDossier');
    }, { timeout: 10_000, interval: 100 }).toEqual([{ operation: 'submitDossier', subjectId: submitDossier.id, actor: { id: submitter.accountId } }]);
  });
});
