import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Role } from '../../subgraphs/shared/src';
import { aLoggedInCitizen, GOOD_PASSWORD, lastOtp, LOGIN, VERIFY } from '../kit/builders';
import { gql, gqlError, post } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

const CHANGE = (field: string) => `mutation($id: ID!, $reason: String!) { ${field}(accountId: $id, reason: $reason) { id status } }`;
const SUSPEND = CHANGE('suspendAccount');
const REINSTATE = CHANGE('reinstateAccount');
const REVOKE = CHANGE('revokeAccount');
const BY_EVENT = { SUSPEND, REINSTATE, REVOKE } as const;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const STATUS = `{ me { status lockedUntil } }`;
const HISTORY_AND_LOG = `{ me {
  statusHistory(first: 10) { edges { node { event fromStatus toStatus reason changedByRole occurredAt } } }
  accessLog(first: 10) { edges { node { action accessorKind accessorName purpose outcome } } } } }`;
const WRONG = 'Wrong-Password-1!';

/** What an account looks like to the database, for "nothing changed" comparisons. */
async function snapshot(stack: Stack, accountId: string) {
  const q = (sql: string) => stack.identity.database.dataSource.query(sql, [accountId]);
  const [account] = await q(`SELECT status, status_reason, status_changed_at, updated_at FROM identity.accounts WHERE id = $1`);
  const [{ history }] = await q(`SELECT count(*)::int AS history FROM identity.account_status_history WHERE account_id = $1`);
  const [{ log }] = await q(`SELECT count(*)::int AS log FROM identity.access_log WHERE account_id = $1`);
  const [{ live }] = await q(`SELECT count(*)::int AS live FROM identity.refresh_tokens WHERE account_id = $1 AND revoked_at IS NULL`);
  return { account, history, log, live };
}

/** As if activated in person (level 2, ACTIVE); the cached copy is dropped. */
async function makeActiveLevel2(stack: Stack, accountId: string, status = 'ACTIVE'): Promise<void> {
  await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = $2 WHERE id = $1`, [accountId, status]);
  await stack.redis.del(`${stack.keyPrefix}identity:account:v2:${accountId}`);
}

describe('the account life cycle, through the gateway', () => {
  const stack = useStack();
  const admin = () => stack.tokenFor({ role: Role.ADMINISTRATOR, accountId: randomUUID() });

  it('lets only an administrator suspend, reinstate or revoke, and never their own account', async () => {
    const citizen = await aLoggedInCitizen(stack);
    await makeActiveLevel2(stack, citizen.accountId);
    const roles = [Role.CITIZEN, Role.POSTAL_CLERK, Role.OFFICIAL, Role.PARTNER_BANK, Role.FINANCE, Role.ADMINISTRATOR];
    const table: { cell: string; expected: string }[] = [];
    const answers: { cell: string; expected: string }[] = [];
    // Allowed cells run in this order, each legal from where the one before left the account.
    for (const event of ['SUSPEND', 'REINSTATE', 'REVOKE'] as const) {
      for (const role of roles) {
        for (const whose of ['own', 'other'] as const) {
          const cell = `${role} ${event} ${whose}`;
          // "own": the caller's token names the target account itself.
          const token = await stack.tokenFor({
            role, accountId: whose === 'own' ? citizen.accountId : randomUUID(), postalPointCode: '001-BC-0001', agencyCode: 'C06',
          });
          const answer = await post(stack.gatewayUrl, BY_EVENT[event], { id: citizen.accountId, reason: 'Checked by the security team' }, token);
          table.push({ cell, expected: role === Role.ADMINISTRATOR && whose === 'other' ? 'OK' : 'FORBIDDEN' });
          answers.push({ cell, expected: answer.errors?.length ? String(answer.errors[0].extensions?.code) : 'OK' });
        }
      }
    }
    expect(answers).toEqual(table);
    // A refusal names the action of the catalogue.
    const refused = await gqlError(stack.gatewayUrl, SUSPEND, { id: citizen.accountId, reason: 'x' }, await stack.tokenFor({ role: Role.OFFICIAL }));
    expect(refused.extensions).toMatchObject({ code: 'FORBIDDEN', action: 'account.suspend' });
    // An administrator on a level-1 account, and nobody at all.
    const level1 = await stack.tokenFor({ role: Role.ADMINISTRATOR, level: 1 });
    expect((await gqlError(stack.gatewayUrl, SUSPEND, { id: citizen.accountId, reason: 'x' }, level1)).extensions?.code).toBe('FORBIDDEN');
    expect((await gqlError(stack.gatewayUrl, SUSPEND, { id: citizen.accountId, reason: 'x' })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await snapshot(stack, citizen.accountId)).account.status).toBe('REVOKED');
  });

  it('refuses illegal transitions with CONFLICT ILLEGAL_TRANSITION and leaves the account, its history, its log and its sessions as they were', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const token = await admin();
    for (const [status, event] of [['ACTIVE', 'REINSTATE'], ['PENDING_IN_PERSON_VERIFICATION', 'REINSTATE'], ['SUSPENDED', 'SUSPEND'], ['REVOKED', 'SUSPEND'], ['REVOKED', 'REINSTATE'], ['REVOKED', 'REVOKE']] as const) {
      await makeActiveLevel2(stack, citizen.accountId, status);
      const before = await snapshot(stack, citizen.accountId);
      const error = await gqlError(stack.gatewayUrl, BY_EVENT[event], { id: citizen.accountId, reason: 'Trying' }, token);
      expect(error.extensions, `${status} --${event}-->`).toMatchObject({ code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION', status, event });
      expect(await snapshot(stack, citizen.accountId)).toEqual(before);
    }
  });

  it('wants a reason of 1–500 characters and an account that exists', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const token = await admin();
    for (const reason of ['', '   ', 'x'.repeat(501)]) {
      const error = await gqlError(stack.gatewayUrl, SUSPEND, { id: citizen.accountId, reason }, token);
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'reason', message: expect.any(String) }] });
    }
    expect((await snapshot(stack, citizen.accountId)).history).toBe(0);
    for (const id of [randomUUID(), 'not-an-id']) {
      expect((await gqlError(stack.gatewayUrl, SUSPEND, { id, reason: 'Fraud' }, token)).extensions?.code).toBe('NOT_FOUND');
    }
    const ok = await gql(stack.gatewayUrl, SUSPEND, { id: citizen.accountId, reason: 'x'.repeat(500) }, token);
    expect(ok.suspendAccount.status).toBe('SUSPENDED');
  });

  it.each(['SUSPEND', 'REVOKE'] as const)('%s: no login, no refresh, no login code; every session ends; a reinstated account logs in again', async (event) => {
    const citizen = await aLoggedInCitizen(stack);
    await makeActiveLevel2(stack, citizen.accountId);
    const username = citizen.input.personalIdNumber;
    const phone = citizen.input.phone as string;
    // A login under way when the account is suspended: its code arrives, but starts nothing.
    const pending = (await gql(stack.gatewayUrl, LOGIN, { username, password: GOOD_PASSWORD })).login;
    const code = await lastOtp(stack, phone);
    const token = await admin();

    const changed = await gql(stack.gatewayUrl, BY_EVENT[event], { id: citizen.accountId, reason: 'ID card reported stolen' }, token);
    expect(Object.values(changed)[0]).toMatchObject({ id: citizen.accountId, status: event === 'SUSPEND' ? 'SUSPENDED' : 'REVOKED' });
    expect((await snapshot(stack, citizen.accountId)).live).toBe(0);
    // The holder's access token ended with their sessions; the cached account was purged, so any token reads the new status at once.
    expect((await gqlError(stack.gatewayUrl, STATUS, {}, citizen.token)).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    const fresh = await stack.tokenFor({ role: Role.CITIZEN, accountId: citizen.accountId, level: 2 });
    expect((await gql(stack.gatewayUrl, STATUS, {}, fresh)).me).toEqual({ status: event === 'SUSPEND' ? 'SUSPENDED' : 'REVOKED', lockedUntil: null });

    expect((await gqlError(stack.gatewayUrl, VERIFY, { challengeId: pending.challengeId, code })).extensions?.code).toBe('FORBIDDEN');
    expect((await gqlError(stack.gatewayUrl, LOGIN, { username, password: GOOD_PASSWORD })).extensions?.code).toBe('FORBIDDEN');
    expect((await gqlError(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');

    const reinstated = await post(stack.gatewayUrl, REINSTATE, { id: citizen.accountId, reason: 'The card was found' }, token);
    if (event === 'REVOKE') {
      expect(reinstated.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION' });
      return;
    }
    expect(reinstated.data?.reinstateAccount).toEqual({ id: citizen.accountId, status: 'ACTIVE' });
    const { login } = await gql(stack.gatewayUrl, LOGIN, { username, password: GOOD_PASSWORD });
    const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, phone) });
    expect((await gql(stack.gatewayUrl, REFRESH, { t: verifyLoginOtp.refreshToken })).refreshSession.accessToken).toBeTruthy();
    // Sessions ended by the suspension stay ended.
    expect((await gqlError(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('records each change in the status history and in the holder\'s access log, both shown to the holder (and to administrators)', async () => {
    const citizen = await aLoggedInCitizen(stack);
    await makeActiveLevel2(stack, citizen.accountId);
    const token = await admin();
    await gql(stack.gatewayUrl, SUSPEND, { id: citizen.accountId, reason: 'Suspicious logins from abroad' }, token);
    const reinstated = await gql(stack.gatewayUrl, `mutation($id: ID!, $reason: String!) { reinstateAccount(accountId: $id, reason: $reason) {
      statusHistory { edges { node { event reason } } } } }`, { id: citizen.accountId, reason: 'The holder confirmed at the counter' }, token);
    // An administrator reads it on the account they act on.
    expect(reinstated.reinstateAccount.statusHistory.edges.map((e: any) => e.node)).toEqual([
      { event: 'REINSTATE', reason: 'The holder confirmed at the counter' },
      { event: 'SUSPEND', reason: 'Suspicious logins from abroad' },
    ]);

    // The suspension ended the holder's sessions; they read their history after logging in again (a fresh token).
    const { me } = await gql(stack.gatewayUrl, HISTORY_AND_LOG, {}, await stack.tokenFor({ role: Role.CITIZEN, accountId: citizen.accountId, level: 2 }));
    expect(me.statusHistory.edges.map((e: any) => e.node)).toEqual([
      { event: 'REINSTATE', fromStatus: 'SUSPENDED', toStatus: 'ACTIVE', reason: 'The holder confirmed at the counter', changedByRole: 'ADMINISTRATOR', occurredAt: expect.any(String) },
      { event: 'SUSPEND', fromStatus: 'ACTIVE', toStatus: 'SUSPENDED', reason: 'Suspicious logins from abroad', changedByRole: 'ADMINISTRATOR', occurredAt: expect.any(String) },
    ]);
    expect(me.accessLog.edges.map((e: any) => e.node).filter((n: any) => n.action === 'CHANGE_STATUS')).toEqual([
      { action: 'CHANGE_STATUS', accessorKind: 'ADMINISTRATOR', accessorName: 'System administrator', purpose: 'REINSTATE: The holder confirmed at the counter', outcome: 'ALLOWED' },
      { action: 'CHANGE_STATUS', accessorKind: 'ADMINISTRATOR', accessorName: 'System administrator', purpose: 'SUSPEND: Suspicious logins from abroad', outcome: 'ALLOWED' },
    ]);
    const [row] = await stack.identity.database.dataSource.query(`SELECT status_reason, status_changed_at FROM identity.accounts WHERE id = $1`, [citizen.accountId]);
    expect(row.status_reason).toBe('The holder confirmed at the counter');
    expect(new Date(row.status_changed_at).toISOString()).toBe(me.statusHistory.edges[0].node.occurredAt);
  });

  it('reads LOCKED with lockedUntil after 5 wrong passwords, and ACTIVE again once a password reset clears the lock', async () => {
    const citizen = await aLoggedInCitizen(stack);
    await makeActiveLevel2(stack, citizen.accountId);
    const username = citizen.input.personalIdNumber;
    expect((await gql(stack.gatewayUrl, STATUS, {}, citizen.token)).me).toEqual({ status: 'ACTIVE', lockedUntil: null });
    for (let i = 0; i < 4; i++) await gqlError(stack.gatewayUrl, LOGIN, { username, password: WRONG });
    expect((await gql(stack.gatewayUrl, STATUS, {}, citizen.token)).me.status).toBe('ACTIVE');
    await gqlError(stack.gatewayUrl, LOGIN, { username, password: WRONG });

    const locked = (await gql(stack.gatewayUrl, STATUS, {}, citizen.token)).me;
    expect(locked.status).toBe('LOCKED');
    const until = Date.parse(locked.lockedUntil);
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 1000);
    // The lock is what the login limiter says: even the right password is refused now.
    expect((await gqlError(stack.gatewayUrl, LOGIN, { username, password: GOOD_PASSWORD })).extensions?.code).toBe('RATE_LIMITED');

    const { requestPasswordReset } = await gql(stack.gatewayUrl, `mutation($u: String!) { requestPasswordReset(username: $u) { challengeId } }`, { u: username });
    const newPassword = 'Hoa-Sen-2027!';
    await gql(stack.gatewayUrl, `mutation($c: ID!, $code: String!, $p: String!) { resetPassword(challengeId: $c, code: $code, newPassword: $p) }`,
      { c: requestPasswordReset.challengeId, code: await lastOtp(stack, citizen.input.phone as string), p: newPassword });
    // The reset ended every session (the old token with them); a fresh one reads the lock lifted.
    expect((await gql(stack.gatewayUrl, STATUS, {}, await stack.tokenFor({ role: Role.CITIZEN, accountId: citizen.accountId, level: 2 }))).me).toEqual({ status: 'ACTIVE', lockedUntil: null });
    expect((await gql(stack.gatewayUrl, LOGIN, { username, password: newPassword })).login.challengeId).toBeTruthy();
  });
});
