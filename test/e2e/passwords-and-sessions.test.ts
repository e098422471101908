import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { Role } from '../../subgraphs/shared/src';
import { aConfirmedCitizen, aLoggedInCitizen, GOOD_PASSWORD, lastOtp, LOGIN, smsTo, VERIFY } from '../kit/builders';
import { gql, gqlError, post } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const CHANGE_PASSWORD = `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) }`;
const REQUEST_RESET = `mutation($u: String!) { requestPasswordReset(username: $u) { challengeId expiresAt } }`;
const RESET = `mutation($c: ID!, $code: String!, $p: String!) { resetPassword(challengeId: $c, code: $code, newPassword: $p) }`;
const MY_SESSIONS = `query($first: Int, $after: String) { mySessions(first: $first, after: $after) {
  edges { cursor node { id startedAt lastRefreshedAt expiresAt current } } pageInfo { hasNextPage endCursor } } }`;
const LOGOUT = `mutation { logout }`;
const REVOKE_SESSION = `mutation($id: ID!) { revokeSession(sessionId: $id) }`;
const NEW_PASSWORD = 'Hoa-Sen-2027!';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Citizen = Awaited<ReturnType<typeof aLoggedInCitizen>>;

/** One more session of the same citizen (a second device). */
async function anotherSession(stack: Stack, citizen: Citizen, password = citizen.input.password as string) {
  const { login } = await gql(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password });
  const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, citizen.input.phone as string) });
  return { token: verifyLoginOtp.accessToken as string, refreshToken: verifyLoginOtp.refreshToken as string };
}

async function refreshCode(stack: Stack, refreshToken: string): Promise<string> {
  const answer = await post(stack.gatewayUrl, REFRESH, { t: refreshToken });
  return answer.errors?.length ? String(answer.errors[0].extensions?.code) : 'OK';
}

/** Every message in the development outbox, whatever the phone. */
async function outboxSize(stack: Stack): Promise<number> {
  return ((await (await fetch(`${stack.identity.url}/dev/sms`)).json()) as { messages: unknown[] }).messages.length;
}

describe('sessions: the sid claim, mySessions, logout and revokeSession', () => {
  const stack = useStack();

  it('names the session in access tokens (sid), keeps it across refreshes, and lists the caller\'s live sessions with the current one marked', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const second = await anotherSession(stack, citizen);
    const sid = decodeJwt(citizen.token).sid as string;
    expect(sid).toMatch(UUID);
    expect(decodeJwt(second.token).sid).not.toBe(sid);
    const refreshed = (await gql(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken })).refreshSession;
    expect(decodeJwt(refreshed.accessToken).sid).toBe(sid);

    const { mySessions } = await gql(stack.gatewayUrl, MY_SESSIONS, {}, refreshed.accessToken);
    const nodes = mySessions.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => [n.id, n.current])).toEqual([[decodeJwt(second.token).sid, false], [sid, true]]);
    expect(nodes[1].lastRefreshedAt).not.toBeNull();
    expect(nodes[0].lastRefreshedAt).toBeNull();
    for (const n of nodes) expect(Date.parse(n.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    // Paged like every list.
    const page1 = (await gql(stack.gatewayUrl, MY_SESSIONS, { first: 1 }, refreshed.accessToken)).mySessions;
    const page2 = (await gql(stack.gatewayUrl, MY_SESSIONS, { first: 1, after: page1.pageInfo.endCursor }, refreshed.accessToken)).mySessions;
    expect([page1.pageInfo.hasNextPage, page2.pageInfo.hasNextPage]).toEqual([true, false]);
    expect([...page1.edges, ...page2.edges].map((e: any) => e.node.id)).toEqual(nodes.map((n: any) => n.id));
    expect((await gqlError(stack.gatewayUrl, MY_SESSIONS, {})).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('logout ends the current session only; its access token is refused from then on', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const second = await anotherSession(stack, citizen);
    expect((await gql(stack.gatewayUrl, LOGOUT, {}, citizen.token)).logout).toBe(true);
    expect(await refreshCode(stack, citizen.refreshToken)).toBe('UNAUTHENTICATED');
    expect(await refreshCode(stack, second.refreshToken)).toBe('OK');
    // The ended session's access token no longer works (identity refuses it at once), so there is no second logout.
    expect((await gqlError(stack.gatewayUrl, LOGOUT, {}, citizen.token)).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    expect((await gqlError(stack.gatewayUrl, LOGOUT, {})).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('revokeSession ends one of the caller\'s own sessions; anyone else\'s, an ended or an unknown id is NOT_FOUND alike', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const second = await anotherSession(stack, citizen);
    const someoneElse = await aLoggedInCitizen(stack);
    const theirs = decodeJwt(someoneElse.token).sid as string;
    const mine = decodeJwt(second.token).sid as string;

    const table: [string, string, string][] = [
      ['another person\'s session', theirs, 'NOT_FOUND'],
      ['an unknown id', randomUUID(), 'NOT_FOUND'],
      ['not an id', 'session-1', 'NOT_FOUND'],
      ['my other session', mine, 'OK'],
      ['the same, already ended', mine, 'NOT_FOUND'],
    ];
    const answers = [];
    for (const [label, id] of table) {
      const answer = await post(stack.gatewayUrl, REVOKE_SESSION, { id }, citizen.token);
      answers.push([label, id, answer.errors?.length ? String(answer.errors[0].extensions?.code) : 'OK']);
    }
    expect(answers).toEqual(table);
    expect(await refreshCode(stack, someoneElse.refreshToken)).toBe('OK');
    expect(await refreshCode(stack, second.refreshToken)).toBe('UNAUTHENTICATED');
    expect(await refreshCode(stack, citizen.refreshToken)).toBe('OK');
  });
});

describe('changing a password', () => {
  const stack = useStack();

  it('refuses a wrong old password and counts it as a failed login (five lock the username)', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const key = `${stack.keyPrefix}limit:login-username:${citizen.input.personalIdNumber}`;
    const wrong = await gqlError(stack.gatewayUrl, CHANGE_PASSWORD, { old: 'Not-The-One-1!', new: NEW_PASSWORD }, citizen.token);
    expect(wrong.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'WRONG_PASSWORD', problems: [{ field: 'oldPassword', message: expect.any(String) }] });
    expect(await stack.redis.get(key)).toBe('1');
    for (let i = 0; i < 4; i++) await gqlError(stack.gatewayUrl, CHANGE_PASSWORD, { old: 'Not-The-One-1!', new: NEW_PASSWORD }, citizen.token);
    expect((await gql(stack.gatewayUrl, `{ me { status lockedUntil } }`, {}, citizen.token)).me.status).toBe('LOCKED');
    // Locked: not even the right old password gets through, nor a login.
    expect((await gqlError(stack.gatewayUrl, CHANGE_PASSWORD, { old: GOOD_PASSWORD, new: NEW_PASSWORD }, citizen.token)).extensions?.code).toBe('RATE_LIMITED');
    expect((await gqlError(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: GOOD_PASSWORD })).extensions?.code).toBe('RATE_LIMITED');
  });

  it('refuses a weak new password with every problem at once, and changes nothing', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const weak = await gqlError(stack.gatewayUrl, CHANGE_PASSWORD, { old: GOOD_PASSWORD, new: `abc${citizen.input.personalIdNumber}` }, citizen.token);
    expect(weak.extensions?.code).toBe('BAD_USER_INPUT');
    expect((weak.extensions?.problems as { field: string; message: string }[]).map((p) => p.field)).toEqual(['newPassword', 'newPassword', 'newPassword', 'newPassword']);
    expect((weak.extensions?.problems as { message: string }[]).map((p) => p.message).join(' ')).toMatch(/uppercase.*special.*username.*identification number/);
    const same = await gqlError(stack.gatewayUrl, CHANGE_PASSWORD, { old: GOOD_PASSWORD, new: GOOD_PASSWORD }, citizen.token);
    expect(same.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'newPassword' }] });
    // The right old password cleared the failures; the old password still logs in.
    expect((await gql(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: GOOD_PASSWORD })).login.challengeId).toBeTruthy();
  });

  it('sets the new password and ends every other session; the current one stays', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const other = await anotherSession(stack, citizen);
    expect((await gql(stack.gatewayUrl, CHANGE_PASSWORD, { old: GOOD_PASSWORD, new: NEW_PASSWORD }, citizen.token)).changePassword).toBe(true);
    expect(await refreshCode(stack, other.refreshToken)).toBe('UNAUTHENTICATED');
    expect(await refreshCode(stack, citizen.refreshToken)).toBe('OK');
    expect((await gqlError(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: GOOD_PASSWORD })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await anotherSession(stack, citizen, NEW_PASSWORD)).token).toBeTruthy();
    expect((await gqlError(stack.gatewayUrl, CHANGE_PASSWORD, { old: GOOD_PASSWORD, new: NEW_PASSWORD })).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('resetting a forgotten password by SMS code', () => {
  const stack = useStack();

  it('answers a username nobody has exactly like a real one (shape, codes, SQL statements), and sends no SMS', async () => {
    const citizen = await aConfirmedCitizen(stack);
    const nobody = '001190999999';
    // Identity's statements only: documents polls its outbox in the background.
    const statements = () => stack.identity.database.queries.count;
    const measure = async (username: string) => {
      const sql = statements();
      const sms = await outboxSize(stack);
      const answer = await post(stack.gatewayUrl, REQUEST_RESET, { u: username });
      return { answer, at: Date.now(), statements: statements() - sql, sms: (await outboxSize(stack)) - sms };
    };
    const real = await measure(citizen.input.personalIdNumber);
    const decoy = await measure(nobody);
    expect([real.answer.status, decoy.answer.status]).toEqual([200, 200]);
    expect([real.answer.errors, decoy.answer.errors]).toEqual([undefined, undefined]);
    const shape = (m: typeof real) => ({
      keys: Object.keys(m.answer.data.requestPasswordReset), id: UUID.test(m.answer.data.requestPasswordReset.challengeId),
      ttlMinutes: Math.round((Date.parse(m.answer.data.requestPasswordReset.expiresAt) - m.at) / 60_000),
    });
    expect(shape(decoy)).toEqual(shape(real));
    expect(shape(real)).toEqual({ keys: ['challengeId', 'expiresAt'], id: true, ttlMinutes: 5 });
    expect(decoy.statements).toBe(real.statements);
    expect(real.statements).toBeGreaterThan(0);
    expect([real.sms, decoy.sms]).toEqual([1, 0]);
    expect((await smsTo(stack, citizen.input.phone as string))[0].text).toMatch(/dat lai mat khau/);

    // A code for the decoy is refused as a wrong code for a real one is; so is asking for another code.
    const tryCode = async (challengeId: string) => (await gqlError(stack.gatewayUrl, RESET, { c: challengeId, code: '000000', p: NEW_PASSWORD })).extensions;
    const realCode = await lastOtp(stack, citizen.input.phone as string);
    const wrongForReal = await tryCode(real.answer.data.requestPasswordReset.challengeId);
    const wrongForDecoy = await tryCode(decoy.answer.data.requestPasswordReset.challengeId);
    expect(wrongForDecoy).toEqual(realCode === '000000' ? wrongForDecoy : wrongForReal);
    expect(wrongForDecoy).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_INVALID', attemptsLeft: 4 });
    const resend = async (challengeId: string) => Object.keys((await gql(stack.gatewayUrl, `mutation($c: ID!) { resendOtp(challengeId: $c) { challengeId expiresAt } }`, { c: challengeId })).resendOtp);
    expect(await resend(decoy.answer.data.requestPasswordReset.challengeId)).toEqual(await resend(real.answer.data.requestPasswordReset.challengeId));
    // Three requests per username and hour, a username nobody has included.
    for (const username of [citizen.input.personalIdNumber, nobody]) {
      await gql(stack.gatewayUrl, REQUEST_RESET, { u: username });
      await gql(stack.gatewayUrl, REQUEST_RESET, { u: username });
      expect((await gqlError(stack.gatewayUrl, REQUEST_RESET, { u: username })).extensions?.code).toBe('RATE_LIMITED');
    }
  });

  it('sets the new password with the code, once; ends every session; a weak password is refused and the code still works', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const other = await anotherSession(stack, citizen);
    const { requestPasswordReset } = await gql(stack.gatewayUrl, REQUEST_RESET, { u: citizen.input.personalIdNumber });
    const code = await lastOtp(stack, citizen.input.phone as string);
    const c = requestPasswordReset.challengeId;

    const weak = await gqlError(stack.gatewayUrl, RESET, { c, code, p: 'short' });
    expect(weak.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: expect.arrayContaining([{ field: 'newPassword', message: expect.stringMatching(/8 characters/) }]) });
    // Known only to whoever holds the code: the password must not contain the username.
    const personal = await gqlError(stack.gatewayUrl, RESET, { c, code, p: `Aa-${citizen.input.personalIdNumber}` });
    expect(personal.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'newPassword', message: expect.stringMatching(/username/) }, { field: 'newPassword', message: expect.stringMatching(/identification number/) }] });

    expect((await gql(stack.gatewayUrl, RESET, { c, code, p: NEW_PASSWORD })).resetPassword).toBe(true);
    expect((await gqlError(stack.gatewayUrl, RESET, { c, code, p: 'Another-2028!' })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_USED' });
    expect([await refreshCode(stack, citizen.refreshToken), await refreshCode(stack, other.refreshToken)]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect((await gqlError(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: GOOD_PASSWORD })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await anotherSession(stack, citizen, NEW_PASSWORD)).token).toBeTruthy();
  });

  it('sends nothing to a suspended account, and answers as for anyone', async () => {
    const citizen = await aConfirmedCitizen(stack);
    const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR });
    await gql(stack.gatewayUrl, `mutation($id: ID!) { suspendAccount(accountId: $id, reason: "Fraud check") { id } }`, { id: citizen.accountId }, admin);
    const before = await outboxSize(stack);
    const answer = await gql(stack.gatewayUrl, REQUEST_RESET, { u: citizen.input.personalIdNumber });
    expect(answer.requestPasswordReset.challengeId).toMatch(UUID);
    expect(await outboxSize(stack)).toBe(before);
  });
});
