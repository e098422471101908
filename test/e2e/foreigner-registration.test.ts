import { describe, expect, it } from 'vitest';
import { Role } from '../../subgraphs/shared/src';
import {
  aConfirmedForeigner, aForeignerRegistration, aMobile, anOpenPostalPointCode, aPassportNumber, CONFIRM, foreignerUsernameOf, GOOD_PASSWORD, lastOtp, LOGIN,
  REGISTER_FOREIGNER, smsTo, VERIFY,
} from '../kit/builders';
import { gql, gqlError, post } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

const e164 = (phone: string) => `+84${phone.slice(1)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ATTACKER_PASSWORD = 'Ke-Gian-2026!';

const ME = `{ me { kind role username personalIdNumber passportNumber nationality fullName level status } }`;
const LOOKUP = `query($n: String!, $nat: String) { accountToActivate(documentType: PASSPORT, documentNumber: $n, nationality: $nat) { id kind level status } }`;
const ACTIVATE = `mutation($id: ID!, $d: CheckedDocumentInput!) { activateAccount(accountId: $id, document: $d) { id kind level status } }`;

/** The passport a clerk reads (what `aForeignerRegistration` registered). */
function passportOf(input: Record<string, unknown>, change: Record<string, unknown> = {}) {
  return {
    documentType: 'PASSPORT', documentNumber: input.passportNumber, issueDate: '2020-01-10', fullName: String(input.fullName).toUpperCase(),
    dateOfBirth: input.dateOfBirth, gender: input.gender, nationality: String(input.nationality).toUpperCase(), ...change,
  };
}

async function claimsOf(stack: Stack, nationality: string, passportNumber: string): Promise<{ phone: string; status: string; personal_id_number: string | null }[]> {
  return stack.identity.database.dataSource.query(
    `SELECT phone, status, personal_id_number FROM identity.registration_claims WHERE nationality = $1 AND passport_number = $2 ORDER BY created_at`, [nationality, passportNumber]);
}

async function accountsOf(stack: Stack, nationality: string, passportNumber: string): Promise<{ id: string; phone: string; username: string; kind: string }[]> {
  return stack.identity.database.dataSource.query(
    `SELECT id, phone, username, kind FROM identity.accounts WHERE nationality = $1 AND upper(passport_number) = upper($2)`, [nationality, passportNumber]);
}

/** Logs in through both steps; returns the access token, or the error code of the first step. */
async function logIn(stack: Stack, username: string, password: string, phone: string): Promise<{ token?: string; refused?: string }> {
  const first = await post(stack.gatewayUrl, LOGIN, { username, password });
  if (first.errors?.length) return { refused: first.errors[0].extensions?.code };
  const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: first.data.login.challengeId, code: await lastOtp(stack, phone) });
  return { token: verifyLoginOtp.accessToken };
}

describe('a foreigner registers online like a citizen, with a passport', () => {
  const stack = useStack();
  const clerkAt = (postalPointCode: string) => stack.tokenFor({ role: Role.POSTAL_CLERK, postalPointCode, level: 2 });

  it('registration → SMS code → confirmPhone → login as "JP:TK…" → activation with the passport → level 2', async () => {
    const point = await anOpenPostalPointCode(stack);
    const passportNumber = aPassportNumber();
    // Typed in lower case, with spaces: stored upper-case, trimmed.
    const input = aForeignerRegistration({ passportNumber: ` ${passportNumber.toLowerCase()} `, nationality: 'jp' }, point);
    const { registerForeigner } = await gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input });
    expect(registerForeigner).toMatchObject({ otpChallengeId: expect.stringMatching(UUID), otpSent: true });
    // No account until the phone is proved; a pending claim on the passport identity.
    expect(await accountsOf(stack, 'JP', passportNumber)).toEqual([]);
    expect(await claimsOf(stack, 'JP', passportNumber)).toEqual([{ phone: e164(input.phone), status: 'PENDING', personal_id_number: null }]);

    const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: registerForeigner.otpChallengeId, code: await lastOtp(stack, input.phone) });
    expect(confirmPhone).toMatchObject({ level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION' });
    const username = `JP:${passportNumber}`;
    expect(await accountsOf(stack, 'JP', passportNumber)).toEqual([{ id: confirmPhone.id, phone: e164(input.phone), username, kind: 'FOREIGNER' }]);
    expect((await claimsOf(stack, 'JP', passportNumber)).map((c) => c.status)).toEqual(['CONFIRMED']);

    // The documented username logs in, in any letter case; the passport number alone is no one's username.
    expect((await logIn(stack, username.toLowerCase(), GOOD_PASSWORD, input.phone)).token).toBeTruthy();
    expect((await logIn(stack, passportNumber, GOOD_PASSWORD, input.phone)).refused).toBe('UNAUTHENTICATED');
    const { token } = await logIn(stack, username, GOOD_PASSWORD, input.phone);
    expect((await gql(stack.gatewayUrl, ME, {}, token)).me).toEqual({
      kind: 'FOREIGNER', role: 'CITIZEN', username, personalIdNumber: null, passportNumber, nationality: 'JP', fullName: 'Sato Yuki',
      level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION',
    });

    // At the counter: found by passport and nationality (the number in any case), activated with the passport.
    const clerk = await clerkAt(point);
    const { accountToActivate } = await gql(stack.gatewayUrl, LOOKUP, { n: passportNumber.toLowerCase(), nat: 'JP' }, clerk);
    expect(accountToActivate).toEqual({ id: confirmPhone.id, kind: 'FOREIGNER', level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION' });
    expect((await gql(stack.gatewayUrl, LOOKUP, { n: passportNumber, nat: 'KR' }, clerk)).accountToActivate).toBeNull();
    // A chip ID card is not a foreigner's document: refused, naming it, and nothing changes.
    const wrongDocument = await gqlError(stack.gatewayUrl, ACTIVATE, { id: confirmPhone.id, d: passportOf(input, { documentType: 'CHIP_ID_CARD' }) }, clerk);
    expect(wrongDocument.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'DOCUMENT_MISMATCH', problems: [{ field: 'document.documentType' }] });

    const { activateAccount } = await gql(stack.gatewayUrl, ACTIVATE, { id: confirmPhone.id, d: passportOf(input, { documentNumber: passportNumber.toLowerCase() }) }, clerk);
    expect(activateAccount).toEqual({ id: confirmPhone.id, kind: 'FOREIGNER', level: 'LEVEL_2', status: 'ACTIVE' });
    expect((await gql(stack.gatewayUrl, ME, {}, token)).me).toMatchObject({ level: 'LEVEL_2', status: 'ACTIVE' });
    const [audit] = await stack.identity.database.dataSource.query(
      `SELECT document_type, matched, postal_point_code FROM identity.account_verifications WHERE account_id = $1 AND matched`, [confirmPhone.id]);
    expect(audit).toEqual({ document_type: 'PASSPORT', matched: true, postal_point_code: point });
  });

  it('reports every problem at once, each naming its field, and writes nothing', async () => {
    const input = aForeignerRegistration({
      passportNumber: 'AB-12', nationality: 'XX', fullName: '1', dateOfBirth: '2020-01-01', phone: '12345', email: 'not-an-email', password: 'short',
      verificationPostalPointCode: '!',
    });
    const error = await gqlError(stack.gatewayUrl, REGISTER_FOREIGNER, { input });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    const fields = (error.extensions?.problems as { field: string }[]).map((p) => p.field);
    expect([...new Set(fields)]).toEqual(['passportNumber', 'nationality', 'fullName', 'dateOfBirth', 'phone', 'email', 'password', 'verificationPostalPointCode']);
    expect(await smsTo(stack, '12345')).toEqual([]);
    const [{ n }] = await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.registration_claims WHERE nationality = 'XX'`);
    expect(n).toBe(0);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['"VN": a Vietnamese citizen registers with their number', { nationality: 'VN' }, 'nationality', /registerCitizen/],
    ['"vn" in lower case too', { nationality: 'vn' }, 'nationality', /registerCitizen/],
    ['an unassigned code', { nationality: 'ZZ' }, 'nationality', /ISO 3166-1/],
    ['a region that issues no passports', { nationality: 'EU' }, 'nationality', /ISO 3166-1/],
    ['"UK" (the ISO code is GB)', { nationality: 'UK' }, 'nationality', /ISO 3166-1/],
    ['three letters', { nationality: 'JPN' }, 'nationality', /ISO 3166-1/],
    ['a passport number of 5 characters', { passportNumber: 'TK123' }, 'passportNumber', /6–20/],
    ['a passport number of 21 characters', { passportNumber: 'T'.repeat(21) }, 'passportNumber', /6–20/],
    ['a passport number with a letter outside A–Z', { passportNumber: 'TK12345Ä' }, 'passportNumber', /letters and digits/],
    ['a password containing the passport number, whatever its case and separators', { passportNumber: 'TK7654321', password: 'Tk-7654321!ab' }, 'password', /passport number/],
    ['a person under 14', { dateOfBirth: `${new Date().getUTCFullYear() - 10}-01-01` }, 'dateOfBirth', /14 years/],
    ['a phone that is not a Vietnamese mobile', { phone: '+81 90 1234 5678' }, 'phone', /Vietnamese mobile/],
  ])('refuses %s', async (_what, change, field, message) => {
    const error = await gqlError(stack.gatewayUrl, REGISTER_FOREIGNER, { input: aForeignerRegistration(change, await anOpenPostalPointCode(stack)) });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    const problems = error.extensions?.problems as { field: string; message: string }[];
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0].message).toMatch(message);
  });

  it('refuses an unknown or a closed postal point', async () => {
    const unknown = await gqlError(stack.gatewayUrl, REGISTER_FOREIGNER, { input: aForeignerRegistration({}, '999-XX-9999') });
    expect(unknown.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'verificationPostalPointCode', message: 'No postal point has this code.' }] });
    const [{ code: closed }] = await stack.payments.database.dataSource.query(`SELECT code FROM payments.postal_points WHERE is_open ORDER BY code DESC LIMIT 1`);
    await stack.payments.database.dataSource.query(`UPDATE payments.postal_points SET is_open = false WHERE code = $1`, [closed]);
    await stack.flushCache();
    const refused = await gqlError(stack.gatewayUrl, REGISTER_FOREIGNER, { input: aForeignerRegistration({}, closed) });
    expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'verificationPostalPointCode', message: 'The postal point is closed.' }] });
  });

  it.each([['the victim', 'victim'], ['the attacker', 'attacker']] as const)(
    'a takeover attempt with another phone: the first to prove its phone (%s) gets the account, the other is refused with CONFLICT',
    async (_who, firstToProve) => {
      const point = await anOpenPostalPointCode(stack);
      const victim = aForeignerRegistration({}, point);
      const attacker = aForeignerRegistration({ passportNumber: victim.passportNumber, phone: aMobile(), password: ATTACKER_PASSWORD, fullName: 'Ke Gian' }, point);
      const { registerForeigner: victimClaim } = await gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input: victim });
      const { registerForeigner: attackerClaim } = await gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input: attacker });
      expect(attackerClaim.otpChallengeId).not.toBe(victimClaim.otpChallengeId);
      // Side by side: the attacker's registration touched nothing of the victim's.
      expect((await claimsOf(stack, 'JP', victim.passportNumber)).map((c) => [c.phone, c.status]))
        .toEqual([[e164(victim.phone), 'PENDING'], [e164(attacker.phone), 'PENDING']]);

      const claims = { victim: { claim: victimClaim, input: victim }, attacker: { claim: attackerClaim, input: attacker } };
      const winner = claims[firstToProve];
      const loser = claims[firstToProve === 'victim' ? 'attacker' : 'victim'];
      const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: winner.claim.otpChallengeId, code: await lastOtp(stack, winner.input.phone) });
      const late = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: loser.claim.otpChallengeId, code: await lastOtp(stack, loser.input.phone) });
      expect(late.extensions?.code).toBe('CONFLICT');
      expect(late.message).toMatch(/passport/);

      const username = foreignerUsernameOf(victim);
      expect(await accountsOf(stack, 'JP', victim.passportNumber)).toEqual([{ id: confirmPhone.id, phone: e164(winner.input.phone), username, kind: 'FOREIGNER' }]);
      expect((await claimsOf(stack, 'JP', victim.passportNumber)).map((c) => c.status))
        .toEqual(firstToProve === 'victim' ? ['CONFIRMED', 'SUPERSEDED'] : ['SUPERSEDED', 'CONFIRMED']);
      expect((await logIn(stack, username, winner.input.password, winner.input.phone)).token).toBeTruthy();
      expect((await logIn(stack, username, loser.input.password, loser.input.phone)).refused).toBe('UNAUTHENTICATED');
    },
  );

  it('registering the same passport with the same phone again replaces that claim: its earlier code stops working', async () => {
    const input = aForeignerRegistration({}, await anOpenPostalPointCode(stack));
    const { registerForeigner: first } = await gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input });
    const { registerForeigner: again } = await gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input: { ...input, passportNumber: input.passportNumber.toLowerCase(), fullName: 'Sato Yuki Taro' } });
    expect(await claimsOf(stack, 'JP', input.passportNumber)).toEqual([{ phone: e164(input.phone), status: 'PENDING', personal_id_number: null }]);
    const code = await lastOtp(stack, input.phone);
    expect((await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: first.otpChallengeId, code })).extensions?.reason).toBe('OTP_USED');
    const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: again.otpChallengeId, code });
    expect(confirmPhone.status).toBe('PENDING_IN_PERSON_VERIFICATION');
    const [{ full_name }] = await stack.identity.database.dataSource.query(`SELECT full_name FROM identity.accounts WHERE id = $1`, [confirmPhone.id]);
    expect(full_name).toBe('Sato Yuki Taro');
  });

  it('a passport that already has an account gets the same answer, after the same work, as a free one; its holder gets a notice', async () => {
    const point = await anOpenPostalPointCode(stack);
    const holder = await aConfirmedForeigner(stack);
    const free = aForeignerRegistration({}, point);
    // The same passport typed in lower case is the same identity.
    const taken = aForeignerRegistration({ passportNumber: holder.input.passportNumber.toLowerCase(), nationality: 'jp' }, point);
    const holderSmsBefore = (await smsTo(stack, holder.input.phone)).length;

    const statements = stack.identity.database.queries;
    const before = statements.count;
    const freeAnswer = await post(stack.gatewayUrl, REGISTER_FOREIGNER, { input: free });
    const freeStatements = statements.count - before;
    const between = statements.count;
    const takenAnswer = await post(stack.gatewayUrl, REGISTER_FOREIGNER, { input: taken });
    const takenStatements = statements.count - between;

    expect(freeAnswer.errors).toBeUndefined();
    expect(takenAnswer.errors).toBeUndefined();
    expect(Object.keys(takenAnswer.data.registerForeigner)).toEqual(Object.keys(freeAnswer.data.registerForeigner));
    expect([takenAnswer.data.registerForeigner.otpSent, freeAnswer.data.registerForeigner.otpSent]).toEqual([true, true]);
    expect(takenAnswer.data.registerForeigner.otpChallengeId).toMatch(UUID);
    const lifetime = (answer: typeof freeAnswer) => (Date.parse(answer.data.registerForeigner.otpExpiresAt) - Date.now()) / 1000;
    expect(Math.abs(lifetime(takenAnswer) - lifetime(freeAnswer))).toBeLessThan(5);
    expect(takenStatements).toBe(freeStatements);

    // A code to the free registrant, nothing to the taken passport's registrant, a notice (no code) to the holder.
    expect(await smsTo(stack, free.phone)).toHaveLength(1);
    expect(await smsTo(stack, taken.phone)).toEqual([]);
    const holderSms = await smsTo(stack, holder.input.phone);
    expect(holderSms).toHaveLength(holderSmsBefore + 1);
    expect(holderSms[0].text).toMatch(/with your passport/);
    expect(holderSms[0].text).not.toMatch(/\d{6}/);

    // Wrong codes answer alike; the decoy can never be confirmed.
    const freeId = freeAnswer.data.registerForeigner.otpChallengeId;
    const takenId = takenAnswer.data.registerForeigner.otpChallengeId;
    if ((await lastOtp(stack, free.phone)) !== '000000') {
      const wrong = await Promise.all([freeId, takenId].map((challengeId) => gqlError(stack.gatewayUrl, CONFIRM, { challengeId, code: '000000' })));
      expect(wrong[1]).toEqual(wrong[0]);
      expect(wrong[1].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_INVALID', attemptsLeft: 4 });
    }
    expect(await accountsOf(stack, 'JP', holder.input.passportNumber)).toEqual([{ id: holder.accountId, phone: e164(holder.input.phone), username: holder.username, kind: 'FOREIGNER' }]);
    expect((await claimsOf(stack, 'JP', holder.input.passportNumber)).map((c) => c.status)).toEqual(['CONFIRMED', 'DECOY']);
    expect((await claimsOf(stack, 'JP', free.passportNumber)).map((c) => c.status)).toEqual(['PENDING']);
  });

  it('the same passport number with another nationality is another person', async () => {
    const point = await anOpenPostalPointCode(stack);
    const japanese = await aConfirmedForeigner(stack);
    const korean = aForeignerRegistration({ passportNumber: japanese.input.passportNumber, nationality: 'KR', fullName: 'Kim Min Jun' }, point);
    const { registerForeigner } = await gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input: korean });
    // A real code, not a decoy: nobody holds KR + this number.
    const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: registerForeigner.otpChallengeId, code: await lastOtp(stack, korean.phone) });
    expect(confirmPhone.id).not.toBe(japanese.accountId);
    expect((await accountsOf(stack, 'KR', korean.passportNumber)).map((a) => a.username)).toEqual([`KR:${korean.passportNumber}`]);
    expect((await accountsOf(stack, 'JP', korean.passportNumber)).map((a) => a.id)).toEqual([japanese.accountId]);

    const clerk = await clerkAt(point);
    expect((await gql(stack.gatewayUrl, LOOKUP, { n: korean.passportNumber, nat: 'KR' }, clerk)).accountToActivate.id).toBe(confirmPhone.id);
    expect((await gql(stack.gatewayUrl, LOOKUP, { n: korean.passportNumber, nat: 'JP' }, clerk)).accountToActivate.id).toBe(japanese.accountId);
    expect((await logIn(stack, `kr:${korean.passportNumber}`, GOOD_PASSWORD, korean.phone)).token).toBeTruthy();
    expect((await logIn(stack, japanese.username, GOOD_PASSWORD, japanese.input.phone)).token).toBeTruthy();
  });

  it('a claim names exactly one identity: the database refuses both or neither', async () => {
    const insert = (identity: string, values: string) => stack.identity.database.dataSource.query(
      `INSERT INTO identity.registration_claims (${identity}phone, full_name, date_of_birth, gender, password_hash, verification_postal_point_code, status, expires_at)
       VALUES (${values}'+84912000000', 'X Y', '1990-01-01', 'MALE', 'h', '001-BC-0001', 'PENDING', now())`);
    await expect(insert('personal_id_number, passport_number, nationality, ', `'001190000001', 'TK1234567', 'JP', `)).rejects.toThrow(/claim_has_one_identity/);
    await expect(insert('', '')).rejects.toThrow(/claim_has_one_identity/);
    await expect(insert('passport_number, ', `'TK1234567', `)).rejects.toThrow(/claim_has_one_identity/);
    await expect(insert('passport_number, nationality, ', `'tk1234567', 'JP', `)).rejects.toThrow(/check constraint/);
  });
});

describe('ten registrations of one passport at once, each with its own phone', () => {
  const stack = useStack();

  it('end as ten pending claims, none overwritten; of two confirmations at once exactly one wins', async () => {
    const point = await anOpenPostalPointCode(stack);
    const passportNumber = aPassportNumber();
    const inputs = Array.from({ length: 10 }, (_, i) => aForeignerRegistration({ passportNumber, phone: aMobile(), fullName: `Person ${String.fromCharCode(65 + i)}` }, point));
    const results = await Promise.all(inputs.map((input) => gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input })));
    const challengeIds = results.map((r) => r.registerForeigner.otpChallengeId as string);
    expect(new Set(challengeIds).size).toBe(10);
    expect(results.every((r) => r.registerForeigner.otpSent === true)).toBe(true);

    const rows: { phone: string; full_name: string; status: string; challenge_id: string; consumed_at: Date | null }[] = await stack.identity.database.dataSource.query(
      `SELECT c.phone, c.full_name, c.status, o.id AS challenge_id, o.consumed_at FROM identity.registration_claims c
       JOIN identity.otp_challenges o ON o.claim_id = c.id WHERE c.nationality = 'JP' AND c.passport_number = $1`, [passportNumber]);
    expect(rows).toHaveLength(10);
    for (const [i, input] of inputs.entries()) {
      expect(rows.find((r) => r.phone === e164(input.phone))).toEqual({ phone: e164(input.phone), full_name: input.fullName, status: 'PENDING', challenge_id: challengeIds[i], consumed_at: null });
    }

    const codes = await Promise.all([0, 1, 2].map((i) => lastOtp(stack, inputs[i].phone)));
    const both = await Promise.all([0, 1].map((i) => post(stack.gatewayUrl, CONFIRM, { challengeId: challengeIds[i], code: codes[i] })));
    const winners = both.filter((r) => !r.errors?.length);
    expect(winners).toHaveLength(1);
    expect(both.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
    expect((await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: challengeIds[2], code: codes[2] })).extensions?.code).toBe('CONFLICT');

    const winner = inputs[both.indexOf(winners[0])];
    expect(await accountsOf(stack, 'JP', passportNumber)).toEqual([{ id: winners[0].data.confirmPhone.id, phone: e164(winner.phone), username: `JP:${passportNumber}`, kind: 'FOREIGNER' }]);
    const statuses = (await claimsOf(stack, 'JP', passportNumber)).map((c) => c.status);
    expect(statuses.filter((s) => s === 'CONFIRMED')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'SUPERSEDED')).toHaveLength(9);
  });
});
