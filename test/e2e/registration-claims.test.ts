import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { CreateIdentity1763856000000 } from '../../subgraphs/identity/src/database/migrations/1763856000000-create-identity';
import { openIdentityDatabase } from '../../subgraphs/identity/src/database/data-source';
import { startIdentity, type RunningIdentity } from '../../subgraphs/identity/src/index';
import { hashPassword } from '../../subgraphs/identity/src/accounts/password-hash';
import type { PostalPointDirectory } from '../../subgraphs/identity/src/postal-points/postal-point.directory';
import { createLogger, openDatabase } from '../../subgraphs/shared/src';
import { aConfirmedCitizen, aMobile, aPersonalIdNumber, anOpenPostalPointCode, aRegistration, CONFIRM, GOOD_PASSWORD, lastOtp, LOGIN, REGISTER, RESEND, smsTo, VERIFY } from '../kit/builders';
import { gql, gqlError, post } from '../kit/gql';
import { subgraphTestEnv, useStack, type Stack } from '../kit/stack';

const e164 = (phone: string) => `+84${phone.slice(1)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ATTACKER_PASSWORD = 'Ke-Gian-2026!';

async function claimsOf(stack: Stack, personalIdNumber: string): Promise<{ id: string; phone: string; status: string }[]> {
  return stack.identity.database.dataSource.query(`SELECT id, phone, status FROM identity.registration_claims WHERE personal_id_number = $1 ORDER BY created_at`, [personalIdNumber]);
}

async function accountsOf(stack: Stack, personalIdNumber: string): Promise<{ id: string; phone: string }[]> {
  return stack.identity.database.dataSource.query(`SELECT id, phone FROM identity.accounts WHERE personal_id_number = $1`, [personalIdNumber]);
}

/** Logs in through both steps; returns the access token, or the error code of the first step. */
async function logIn(stack: Stack, username: string, password: string, phone: string): Promise<{ token?: string; refused?: string }> {
  const first = await post(stack.gatewayUrl, LOGIN, { username, password });
  if (first.errors?.length) return { refused: first.errors[0].extensions?.code };
  const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: first.data.login.challengeId, code: await lastOtp(stack, phone) });
  return { token: verifyLoginOtp.accessToken };
}

describe('a registration is a claim: it never overwrites another one', () => {
  const stack = useStack();

  it('an attacker who registers the victim’s number cannot take the victim’s pending registration', async () => {
    const point = await anOpenPostalPointCode(stack);
    const victim = aRegistration({}, point);
    const attacker = aRegistration({ personalIdNumber: victim.personalIdNumber, phone: aMobile(), password: ATTACKER_PASSWORD, fullName: 'Kẻ Gian' }, point);

    const { registerCitizen: victimClaim } = await gql(stack.gatewayUrl, REGISTER, { input: victim });
    const victimCode = await lastOtp(stack, victim.phone as string);
    const { registerCitizen: attackerClaim } = await gql(stack.gatewayUrl, REGISTER, { input: attacker });
    const attackerCode = await lastOtp(stack, attacker.phone as string);
    expect(attackerClaim.otpChallengeId).not.toBe(victimClaim.otpChallengeId);
    // Two claims side by side; nothing of the victim's was touched.
    expect((await claimsOf(stack, victim.personalIdNumber)).map((c) => [c.phone, c.status])).toEqual([[e164(victim.phone as string), 'PENDING'], [e164(attacker.phone as string), 'PENDING']]);

    // The attacker's code does not open the victim's claim, and nothing is created.
    if (attackerCode !== victimCode) {
      const refused = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: victimClaim.otpChallengeId, code: attackerCode });
      expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_INVALID' });
    }
    expect(await accountsOf(stack, victim.personalIdNumber)).toEqual([]);

    // The victim's code still works: the account is the victim's, with the victim's phone and password.
    const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: victimClaim.otpChallengeId, code: victimCode });
    expect(confirmPhone).toMatchObject({ level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION' });
    expect(await accountsOf(stack, victim.personalIdNumber)).toEqual([{ id: confirmPhone.id, phone: e164(victim.phone as string) }]);
    expect((await logIn(stack, victim.personalIdNumber, victim.password as string, victim.phone as string)).token).toBeTruthy();
    expect((await logIn(stack, victim.personalIdNumber, ATTACKER_PASSWORD, attacker.phone as string)).refused).toBe('UNAUTHENTICATED');

    // The attacker's own claim, even with its right code, is refused now, and changes nothing.
    const late = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: attackerClaim.otpChallengeId, code: attackerCode });
    expect(late.extensions?.code).toBe('CONFLICT');
    expect(await accountsOf(stack, victim.personalIdNumber)).toEqual([{ id: confirmPhone.id, phone: e164(victim.phone as string) }]);
    expect((await claimsOf(stack, victim.personalIdNumber)).map((c) => c.status)).toEqual(['CONFIRMED', 'SUPERSEDED']);
  });

  it('whoever proves a phone first gets the account; the other claim is refused with CONFLICT', async () => {
    const point = await anOpenPostalPointCode(stack);
    const first = aRegistration({}, point);
    const second = aRegistration({ personalIdNumber: first.personalIdNumber, phone: aMobile(), password: ATTACKER_PASSWORD }, point);
    const { registerCitizen: firstClaim } = await gql(stack.gatewayUrl, REGISTER, { input: first });
    const { registerCitizen: secondClaim } = await gql(stack.gatewayUrl, REGISTER, { input: second });

    // The later registration proves its phone first: it wins.
    const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: secondClaim.otpChallengeId, code: await lastOtp(stack, second.phone as string) });
    const refused = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: firstClaim.otpChallengeId, code: await lastOtp(stack, first.phone as string) });
    expect(refused.extensions?.code).toBe('CONFLICT');
    expect(await accountsOf(stack, first.personalIdNumber)).toEqual([{ id: confirmPhone.id, phone: e164(second.phone as string) }]);
    expect((await claimsOf(stack, first.personalIdNumber)).map((c) => c.status)).toEqual(['SUPERSEDED', 'CONFIRMED']);
    expect((await logIn(stack, first.personalIdNumber, GOOD_PASSWORD, first.phone as string)).refused).toBe('UNAUTHENTICATED');
  });
});

describe('twenty registrations of one number at once, each with its own phone', () => {
  const stack = useStack();

  it('end as twenty pending claims, none overwritten; of two confirmations at once exactly one wins', async () => {
    const point = await anOpenPostalPointCode(stack);
    const personalIdNumber = aPersonalIdNumber(1990, 'FEMALE');
    const inputs = Array.from({ length: 20 }, (_, i) => aRegistration({ personalIdNumber, phone: aMobile(), fullName: `Người Thứ ${String.fromCharCode(65 + i)}` }, point));
    const results = await Promise.all(inputs.map((input) => gql(stack.gatewayUrl, REGISTER, { input })));
    const challengeIds = results.map((r) => r.registerCitizen.otpChallengeId as string);
    expect(new Set(challengeIds).size).toBe(20);
    expect(results.every((r) => r.registerCitizen.otpSent === true)).toBe(true);

    // Each phone has its own pending claim with its own details and its own, still open, challenge.
    const rows: { phone: string; full_name: string; status: string; challenge_id: string; consumed_at: Date | null }[] = await stack.identity.database.dataSource.query(
      `SELECT c.phone, c.full_name, c.status, o.id AS challenge_id, o.consumed_at FROM identity.registration_claims c
       JOIN identity.otp_challenges o ON o.claim_id = c.id WHERE c.personal_id_number = $1`, [personalIdNumber]);
    expect(rows).toHaveLength(20);
    for (const [i, input] of inputs.entries()) {
      expect(rows.find((r) => r.phone === e164(input.phone as string))).toEqual({
        phone: e164(input.phone as string), full_name: input.fullName, status: 'PENDING', challenge_id: challengeIds[i], consumed_at: null,
      });
    }

    // Two claims confirm at the same moment: one account, one CONFLICT.
    const codes = await Promise.all([0, 1, 2].map((i) => lastOtp(stack, inputs[i].phone as string)));
    const both = await Promise.all([0, 1].map((i) => post(stack.gatewayUrl, CONFIRM, { challengeId: challengeIds[i], code: codes[i] })));
    const winners = both.filter((r) => !r.errors?.length);
    expect(winners).toHaveLength(1);
    expect(both.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
    // A third, later, is refused too.
    expect((await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: challengeIds[2], code: codes[2] })).extensions?.code).toBe('CONFLICT');

    const winner = inputs[both.indexOf(winners[0])];
    expect(await accountsOf(stack, personalIdNumber)).toEqual([{ id: winners[0].data.confirmPhone.id, phone: e164(winner.phone as string) }]);
    const statuses = (await claimsOf(stack, personalIdNumber)).map((c) => c.status);
    expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'SUPERSEDED')).toHaveLength(19);
  });
});

describe('twenty registrations of one number and one phone at once', () => {
  const stack = useStack();

  it('end as one pending claim whose newest code alone works (the phone’s SMS limit answers the rest)', async () => {
    const input = aRegistration({}, await anOpenPostalPointCode(stack));
    const results = await Promise.all(Array.from({ length: 20 }, () => post(stack.gatewayUrl, REGISTER, { input })));
    const accepted = results.filter((r) => !r.errors?.length);
    // Five SMS per phone per hour, counted atomically: exactly five registrations got through to the database.
    expect(accepted).toHaveLength(5);
    expect(results.flatMap((r) => r.errors ?? []).every((e) => e.extensions?.code === 'RATE_LIMITED')).toBe(true);

    const claims = await claimsOf(stack, input.personalIdNumber);
    expect(claims.map((c) => c.status)).toEqual(['PENDING']);
    const challenges: { id: string; open: boolean }[] = await stack.identity.database.dataSource.query(
      `SELECT id, consumed_at IS NULL AS open FROM identity.otp_challenges WHERE claim_id = $1`, [claims[0].id]);
    expect(challenges).toHaveLength(5);
    expect(challenges.filter((c) => c.open)).toHaveLength(1);

    // Every replaced challenge is void; the open one confirms with one of the codes that were sent.
    const open = challenges.find((c) => c.open)!.id;
    const codes = (await smsTo(stack, input.phone as string)).map((m) => /(\d{6})/.exec(m.text)![1]);
    for (const { id } of challenges.filter((c) => !c.open)) {
      expect((await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: id, code: codes[0] })).extensions?.reason).toBe('OTP_USED');
    }
    let confirmed: string | undefined;
    for (const code of codes) {
      const attempt = await post(stack.gatewayUrl, CONFIRM, { challengeId: open, code });
      if (!attempt.errors?.length) { confirmed = attempt.data.confirmPhone.id; break; }
    }
    expect(confirmed).toMatch(UUID);
    expect((await accountsOf(stack, input.personalIdNumber)).map((a) => a.id)).toEqual([confirmed]);
  });
});

describe('a number that already has an account', () => {
  const stack = useStack();

  it('gets the same answer, after the same work, as a free number; its holder gets a notice instead of the registrant a code', async () => {
    const point = await anOpenPostalPointCode(stack);
    const holder = await aConfirmedCitizen(stack);
    const free = aRegistration({}, point);
    const taken = aRegistration({ personalIdNumber: holder.input.personalIdNumber }, point);
    const holderSmsBefore = (await smsTo(stack, holder.input.phone as string)).length;

    const statements = stack.identity.database.queries;
    const before = statements.count;
    const freeAnswer = await post(stack.gatewayUrl, REGISTER, { input: free });
    const freeStatements = statements.count - before;
    const between = statements.count;
    const takenAnswer = await post(stack.gatewayUrl, REGISTER, { input: taken });
    const takenStatements = statements.count - between;

    // Same shape, same values where they do not identify the request.
    expect(takenAnswer.errors).toBeUndefined();
    expect(freeAnswer.errors).toBeUndefined();
    expect(Object.keys(takenAnswer.data.registerCitizen)).toEqual(Object.keys(freeAnswer.data.registerCitizen));
    expect(takenAnswer.data.registerCitizen.otpSent).toBe(true);
    expect(freeAnswer.data.registerCitizen.otpSent).toBe(true);
    expect(takenAnswer.data.registerCitizen.otpChallengeId).toMatch(UUID);
    expect(freeAnswer.data.registerCitizen.otpChallengeId).toMatch(UUID);
    const lifetime = (answer: typeof freeAnswer) => (Date.parse(answer.data.registerCitizen.otpExpiresAt) - Date.now()) / 1000;
    expect(Math.abs(lifetime(takenAnswer) - lifetime(freeAnswer))).toBeLessThan(5);
    // The same SQL statements, in number, for both.
    expect(takenStatements).toBe(freeStatements);

    // A code went to the free registrant; nothing to the taken number's registrant; a notice to the holder.
    expect(await smsTo(stack, free.phone as string)).toHaveLength(1);
    expect(await smsTo(stack, taken.phone as string)).toEqual([]);
    const holderSms = await smsTo(stack, holder.input.phone as string);
    expect(holderSms).toHaveLength(holderSmsBefore + 1);
    expect(holderSms[0].text).toMatch(/da co tai khoan/);
    expect(holderSms[0].text).not.toMatch(/\d{6}/);

    // Wrong codes and resends answer alike too; the taken number's challenge can never be confirmed.
    const freeId = freeAnswer.data.registerCitizen.otpChallengeId;
    const takenId = takenAnswer.data.registerCitizen.otpChallengeId;
    const wrong = await Promise.all([freeId, takenId].map((challengeId) => gqlError(stack.gatewayUrl, CONFIRM, { challengeId, code: '000000' })));
    const freeCode = await lastOtp(stack, free.phone as string);
    if (freeCode !== '000000') {
      expect(wrong[1]).toEqual(wrong[0]);
      expect(wrong[1].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_INVALID', attemptsLeft: 4 });
    }
    const resent = await Promise.all([freeId, takenId].map((challengeId) => post(stack.gatewayUrl, RESEND, { challengeId })));
    expect(resent.map((r) => [r.errors, Object.keys(r.data.resendOtp)])).toEqual([[undefined, ['challengeId', 'expiresAt']], [undefined, ['challengeId', 'expiresAt']]]);
    expect(await smsTo(stack, taken.phone as string)).toEqual([]);
    expect(await smsTo(stack, free.phone as string)).toHaveLength(2);

    expect(await accountsOf(stack, holder.input.personalIdNumber)).toEqual([{ id: holder.accountId, phone: e164(holder.input.phone as string) }]);
    expect((await claimsOf(stack, taken.personalIdNumber)).map((c) => c.status)).toEqual(['CONFIRMED', 'DECOY']);
    expect((await claimsOf(stack, free.personalIdNumber)).map((c) => c.status)).toEqual(['PENDING']);
  });

  it('never tells through an error, and never eats the holder\'s login codes: one notice a day, however often the number is registered', async () => {
    const point = await anOpenPostalPointCode(stack);
    const holder = await aConfirmedCitizen(stack);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post(stack.gatewayUrl, REGISTER, { input: aRegistration({ personalIdNumber: holder.input.personalIdNumber }, point) }));
    expect(answers.map((a) => a.errors)).toEqual(Array(6).fill(undefined));
    expect(answers.every((a) => a.data.registerCitizen.otpSent === true)).toBe(true);
    // The registration code, then one notice: the other registrations were told nothing different, and sent nothing.
    expect(await smsTo(stack, holder.input.phone as string)).toHaveLength(2);
    // The holder can still get their login codes: the notices did not use the phone's code budget.
    const { login } = await gql(stack.gatewayUrl, LOGIN, { username: holder.input.personalIdNumber, password: holder.input.password });
    expect(login.challengeId).toEqual(expect.any(String));
  });
});

describe('one-time codes are stored under a keyed hash', () => {
  const open: PostalPointDirectory = { find: async (code) => ({ code, name: 'Bưu cục thử', isOpen: true }) };

  it('neither SHA-256(challengeId:code) nor the same under another secret; a replica with another secret cannot check them', async () => {
    const secret = 'the-first-otp-secret-of-32-characters!';
    const other = 'another-otp-secret-of-32-characters!!';
    const env = await subgraphTestEnv(`otp-hmac:${Date.now()}:`, { jwksUrl: 'http://127.0.0.1:9/unused', issuer: 'national-identity-graph' });
    const one = await startIdentity(loadIdentityConfig({ ...env, IDENTITY_PORT: '0', OTP_HMAC_SECRET: secret }), { postalPoints: open });
    const two = await startIdentity(loadIdentityConfig({ ...env, IDENTITY_PORT: '0', OTP_HMAC_SECRET: other }), { postalPoints: open });
    try {
      const input = aRegistration();
      const { registerCitizen } = await gql(`${one.url}/graphql`, REGISTER, { input });
      const id = registerCitizen.otpChallengeId as string;
      const code = await lastOtp({ identity: one }, input.phone as string);
      const [{ code_hash: stored }] = await one.database.dataSource.query(`SELECT code_hash FROM identity.otp_challenges WHERE id = $1`, [id]);
      expect(stored).not.toBe(createHash('sha256').update(`${id}:${code}`).digest('hex'));
      expect(stored).toBe(createHmac('sha256', secret).update(`${id}:${code}`).digest('hex'));
      expect(stored).not.toBe(createHmac('sha256', other).update(`${id}:${code}`).digest('hex'));

      const wrongSecret = await gqlError(`${two.url}/graphql`, CONFIRM, { challengeId: id, code });
      expect(wrongSecret.extensions?.reason).toBe('OTP_INVALID');
      expect((await gql(`${one.url}/graphql`, CONFIRM, { challengeId: id, code })).confirmPhone.status).toBe('PENDING_IN_PERSON_VERIFICATION');
    } finally {
      await two.stop();
      await one.stop();
    }
  });
});

describe('a database from before registration claims', () => {
  const log = createLogger({ service: 'test', level: 'silent' });
  const open: PostalPointDirectory = { find: async (code) => ({ code, name: 'Bưu cục thử', isOpen: true }) };

  it('has its accounts still waiting for a phone moved into claims, which can then be confirmed', async () => {
    const env = await subgraphTestEnv(`old-db:${Date.now()}:`, { jwksUrl: 'http://127.0.0.1:9/unused', issuer: 'national-identity-graph' });
    const old = await openDatabase({ url: env.DATABASE_URL!, schema: 'identity', logger: log, entities: [], migrations: [CreateIdentity1763856000000] });
    const pending = aRegistration();
    const pendingPhone = e164(pending.phone as string);
    const passwordHash = await hashPassword(GOOD_PASSWORD);
    const [{ id: pendingId }] = await old.dataSource.query(
      `INSERT INTO identity.accounts (kind, role, username, personal_id_number, full_name, date_of_birth, gender, phone, email, password_hash, level, status, verification_postal_point_code)
       VALUES ('CITIZEN', 'CITIZEN', $1, $1, $2, $3, $4, $5, NULL, $6, NULL, 'PENDING_PHONE_VERIFICATION', '001-BC-0001') RETURNING id`,
      [pending.personalIdNumber, pending.fullName, pending.dateOfBirth, pending.gender, pendingPhone, passwordHash]);
    const [{ id: activeId }] = await old.dataSource.query(
      `INSERT INTO identity.accounts (kind, role, username, personal_id_number, full_name, date_of_birth, gender, phone, email, password_hash, level, status, verification_postal_point_code)
       VALUES ('CITIZEN', 'CITIZEN', $1, $1, 'Trần Văn An', '1990-01-01', 'MALE', '+84912000099', NULL, $2, 'LEVEL_1', 'PENDING_IN_PERSON_VERIFICATION', '001-BC-0001') RETURNING id`,
      [aPersonalIdNumber(1990, 'MALE'), passwordHash]);
    const oldChallenge = '5d3f1c2a-0000-4000-8000-000000000001';
    await old.dataSource.query(
      `INSERT INTO identity.otp_challenges (id, account_id, purpose, phone, code_hash, expires_at) VALUES ($1, $2, 'PHONE_VERIFICATION', $3, 'sha256-of-old', now() + interval '5 minutes')`,
      [oldChallenge, pendingId, pendingPhone]);
    await old.dataSource.destroy();

    const migrated = await openIdentityDatabase(env.DATABASE_URL!, log);
    try {
      expect(await migrated.dataSource.query(`SELECT id, status, phone, full_name FROM identity.registration_claims`))
        .toEqual([{ id: pendingId, status: 'PENDING', phone: pendingPhone, full_name: pending.fullName }]);
      expect(await migrated.dataSource.query(`SELECT account_id, claim_id FROM identity.otp_challenges`)).toEqual([{ account_id: null, claim_id: pendingId }]);
      expect((await migrated.dataSource.query(`SELECT id FROM identity.accounts`)).map((a: { id: string }) => a.id)).toEqual([activeId]);
    } finally {
      await migrated.dataSource.destroy();
    }

    // The person asks for a new code (the old one was stored unkeyed and no longer checks) and confirms.
    const identity: RunningIdentity = await startIdentity(loadIdentityConfig({ ...env, IDENTITY_PORT: '0', OTP_HMAC_SECRET: 'a-migrated-database-otp-secret-32chars' }), { postalPoints: open });
    try {
      await gql(`${identity.url}/graphql`, RESEND, { challengeId: oldChallenge });
      const { confirmPhone } = await gql(`${identity.url}/graphql`, CONFIRM, { challengeId: oldChallenge, code: await lastOtp({ identity }, pending.phone as string) });
      expect(confirmPhone).toMatchObject({ level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION' });
      const { login } = await gql(`${identity.url}/graphql`, LOGIN, { username: pending.personalIdNumber, password: GOOD_PASSWORD });
      expect(login.challengeId).toMatch(UUID);
    } finally {
      await identity.stop();
    }
  });
});
