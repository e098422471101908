import { randomInt, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { startDocuments } from '../../subgraphs/documents/src/index';
import { loadDocumentsConfig } from '../../subgraphs/documents/src/config';
import { DelegationScope, Role } from '../../subgraphs/shared/src';
import { aLoggedInCitizen, GOOD_PASSWORD, lastOtp, LOGIN, VERIFY } from '../kit/builders';
import { testGatewayKeys } from '../kit/gateway-proof';
import { gql, post } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

/**
 * Access tokens of sessions and delegations identity has ended are refused by the gateway and by every subgraph
 * within a second, although each verifies tokens without asking identity (shared/src/auth/revocations.ts).
 */

const NEW_PASSWORD = 'Hoa-Sen-2027!';
const CHANGE_PASSWORD = `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) }`;
const REQUEST_RESET = `mutation($u: String!) { requestPasswordReset(username: $u) { challengeId } }`;
const RESET = `mutation($c: ID!, $code: String!, $p: String!) { resetPassword(challengeId: $c, code: $code, newPassword: $p) }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;

type Where = 'gateway' | 'identity' | 'documents' | 'payments';
const EVERYWHERE: Where[] = ['gateway', 'identity', 'documents', 'payments'];
/** A query each place answers for any caller: what is checked here is the token, before any resolver. */
const PROBE: Record<Where, string> = {
  gateway: `{ me { id } }`,
  identity: `{ me { id } }`,
  documents: `{ publicService(code: "GPLX_EXCHANGE") { code } }`,
  payments: `{ __typename }`,
};
const urlOf = (stack: Stack, where: Where) => (where === 'gateway' ? stack.gatewayUrl : `${stack[where].url}/graphql`);

/** How a place answers a token: 'OK', or the refusal's status, code and reason. */
async function answerTo(url: string, query: string, token: string): Promise<'OK' | { status: number; code: unknown; reason: unknown }> {
  const response = await post(url, query, {}, token);
  if (!response.errors?.length) return 'OK';
  return { status: response.status, code: response.errors[0].extensions?.code, reason: response.errors[0].extensions?.reason };
}

/** Polls each place until it refuses the token (a few seconds at most; the list learns within a second). */
async function expectRefusedEverywhere(stack: Stack, token: string, reason: 'SESSION_ENDED' | 'DELEGATION_ENDED', places: Where[] = EVERYWHERE) {
  for (const where of places) {
    await expect.poll(async () => ({ where, answer: await answerTo(urlOf(stack, where), PROBE[where], token) }), { timeout: 5_000, interval: 50 })
      .toEqual({ where, answer: { status: 401, code: 'UNAUTHENTICATED', reason } });
  }
}

async function expectAcceptedEverywhere(stack: Stack, token: string) {
  const answers = await Promise.all(EVERYWHERE.map(async (where) => [where, await answerTo(urlOf(stack, where), PROBE[where], token)]));
  expect(answers).toEqual(EVERYWHERE.map((where) => [where, 'OK']));
}

type Citizen = Awaited<ReturnType<typeof aLoggedInCitizen>>;

/** Another session of the same person (a second device). */
async function anotherSession(stack: Stack, citizen: Citizen, password = GOOD_PASSWORD) {
  const { login } = await gql(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password });
  const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, citizen.input.phone as string) });
  return { token: verifyLoginOtp.accessToken as string, refreshToken: verifyLoginOtp.refreshToken as string };
}

describe('ended sessions: their access tokens are refused everywhere', () => {
  const stack = useStack({ postalPoints: 40 });

  it('logout: identity refuses the token at once, the gateway and the other subgraphs within a second; the person\'s other session and other people are untouched', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const second = await anotherSession(stack, citizen);
    const someoneElse = await aLoggedInCitizen(stack);
    await expectAcceptedEverywhere(stack, citizen.token);

    expect((await gql(stack.gatewayUrl, `mutation { logout }`, {}, citizen.token)).logout).toBe(true);
    // The identity replica that ended the session noted it as its transaction committed: no waiting.
    expect(await answerTo(urlOf(stack, 'identity'), PROBE.identity, citizen.token)).toEqual({ status: 401, code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    await expectRefusedEverywhere(stack, citizen.token, 'SESSION_ENDED');
    await expectAcceptedEverywhere(stack, second.token);
    await expectAcceptedEverywhere(stack, someoneElse.token);
    // A new login of the same person works at once (its session is a new one).
    await expectAcceptedEverywhere(stack, (await anotherSession(stack, citizen)).token);
  });

  it('revokeSession: the revoked session\'s token is refused everywhere; the one that revoked it keeps working', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const second = await anotherSession(stack, citizen);
    await gql(stack.gatewayUrl, `mutation($id: ID!) { revokeSession(sessionId: $id) }`, { id: decodeJwt(second.token).sid }, citizen.token);
    await expectRefusedEverywhere(stack, second.token, 'SESSION_ENDED');
    await expectAcceptedEverywhere(stack, citizen.token);
  });

  it.each(['suspendAccount', 'revokeAccount'])('%s: every session\'s token is refused everywhere; other people are untouched', async (mutation) => {
    const citizen = await aLoggedInCitizen(stack);
    const second = await anotherSession(stack, citizen);
    const someoneElse = await aLoggedInCitizen(stack);
    const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR, accountId: randomUUID() });
    await gql(stack.gatewayUrl, `mutation($id: ID!) { ${mutation}(accountId: $id, reason: "ID card reported stolen") { id } }`, { id: citizen.accountId }, admin);
    expect((await answerTo(urlOf(stack, 'identity'), PROBE.identity, second.token))).toMatchObject({ reason: 'SESSION_ENDED' });
    await expectRefusedEverywhere(stack, citizen.token, 'SESSION_ENDED');
    await expectRefusedEverywhere(stack, second.token, 'SESSION_ENDED');
    await expectAcceptedEverywhere(stack, someoneElse.token);
    await expectAcceptedEverywhere(stack, admin);
  });

  it('resetPassword: every session\'s token is refused everywhere; a login with the new password, even in the same second, works', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const second = await anotherSession(stack, citizen);
    const { requestPasswordReset } = await gql(stack.gatewayUrl, REQUEST_RESET, { u: citizen.input.personalIdNumber });
    const code = await lastOtp(stack, citizen.input.phone as string);
    await gql(stack.gatewayUrl, RESET, { c: requestPasswordReset.challengeId, code, p: NEW_PASSWORD });
    const fresh = await anotherSession(stack, citizen, NEW_PASSWORD);
    await expectRefusedEverywhere(stack, citizen.token, 'SESSION_ENDED');
    await expectRefusedEverywhere(stack, second.token, 'SESSION_ENDED');
    await expectAcceptedEverywhere(stack, fresh.token);
  });

  it('changePassword: the other sessions\' tokens are refused everywhere; the session that changed it keeps working, refreshed too', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const other = await anotherSession(stack, citizen);
    expect((await gql(stack.gatewayUrl, CHANGE_PASSWORD, { old: GOOD_PASSWORD, new: NEW_PASSWORD }, citizen.token)).changePassword).toBe(true);
    await expectRefusedEverywhere(stack, other.token, 'SESSION_ENDED');
    await expectAcceptedEverywhere(stack, citizen.token);
    const refreshed = (await gql(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken })).refreshSession.accessToken as string;
    await expectAcceptedEverywhere(stack, refreshed);
    await expectAcceptedEverywhere(stack, (await anotherSession(stack, citizen, NEW_PASSWORD)).token);
  });

  it('a process started after the ending knows it: a second documents subgraph refuses the token from its first request', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const someoneElse = await aLoggedInCitizen(stack);
    await gql(stack.gatewayUrl, `mutation { logout }`, {}, citizen.token);
    // Announced: the running documents subgraph has read it from the stream.
    await expectRefusedEverywhere(stack, citizen.token, 'SESSION_ENDED', ['documents']);

    const late = await startDocuments(loadDocumentsConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', DOCUMENTS_PORT: '0',
      DATABASE_URL: stack.databaseUrl, REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: stack.keyPrefix,
      IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`, GATEWAY_PUBLIC_KEY: testGatewayKeys().GATEWAY_PUBLIC_KEY,
    }));
    try {
      const url = `${late.url}/graphql`;
      expect(await answerTo(url, PROBE.documents, citizen.token)).toEqual({ status: 401, code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
      expect(await answerTo(url, PROBE.documents, someoneElse.token)).toBe('OK');
    } finally {
      await late.stop();
    }
  });
});

describe('ended delegations: act tokens under them are refused everywhere', () => {
  const stack = useStack({ postalPoints: 40 });

  /** A level-2 citizen (raised by SQL) with a token of a live session, as actForOrganisation needs. */
  async function aLevel2Person() {
    const citizen = await aLoggedInCitizen(stack);
    await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [citizen.accountId]);
    await stack.flushCache();
    const { refreshSession } = await gql(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken });
    return { accountId: citizen.accountId, personalIdNumber: citizen.input.personalIdNumber as string, token: refreshSession.accessToken as string };
  }

  it('revokeDelegation: the delegate\'s act token is refused with DELEGATION_ENDED; their own token and the representative\'s keep working', async () => {
    const [representative, delegate] = [await aLevel2Person(), await aLevel2Person()];
    const taxCode = `0${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
    const organisation = (await gql(stack.gatewayUrl, `mutation($input: RegisterOrganisationInput!) { registerOrganisation(input: $input) { id } }`,
      { input: { taxCode, name: 'Công ty TNHH Sao Mai' } }, representative.token)).registerOrganisation;
    const delegation = (await gql(stack.gatewayUrl, `mutation($input: GrantDelegationInput!) { grantDelegation(input: $input) { id } }`, { input: {
      organisationId: organisation.id, delegatePersonalIdNumber: delegate.personalIdNumber, scopes: [DelegationScope.VIEW_DOSSIERS],
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    } }, representative.token)).grantDelegation;
    const acting = (await gql(stack.gatewayUrl, `mutation($id: ID!) { actForOrganisation(organisationId: $id) { accessToken } }`, { id: organisation.id }, delegate.token)).actForOrganisation.accessToken as string;
    await expectAcceptedEverywhere(stack, acting);

    await gql(stack.gatewayUrl, `mutation($id: ID!) { revokeDelegation(delegationId: $id) { status } }`, { id: delegation.id }, representative.token);
    expect(await answerTo(urlOf(stack, 'identity'), PROBE.identity, acting)).toMatchObject({ reason: 'DELEGATION_ENDED' });
    await expectRefusedEverywhere(stack, acting, 'DELEGATION_ENDED');
    await expectAcceptedEverywhere(stack, delegate.token);
    await expectAcceptedEverywhere(stack, representative.token);
  });
});
