import { beforeAll, describe, expect, it } from 'vitest';
import { aConfirmedCitizen, aLoggedInCitizen, aMobile, aPersonalIdNumber, anOpenPostalPointCode, aRegistration, CONFIRM, lastOtp, LOGIN, REGISTER, smsTo } from '../kit/builders';
import { gql, gqlError, post } from '../kit/gql';
import { useStack } from '../kit/stack';

describe('bad input is refused with a clear code, and nothing is written', () => {
  const stack = useStack();
  let point: string;
  /** Accounts and registration claims with this phone: what a registration would have written. */
  const rowsWithPhone = async (phone: string) => Number((await stack.identity.database.dataSource.query(
    `SELECT (SELECT count(*) FROM identity.accounts WHERE phone = $1) + (SELECT count(*) FROM identity.registration_claims WHERE phone = $1) AS n`,
    [`+84${phone.slice(1)}`],
  ))[0].n);

  beforeAll(async () => { point = await anOpenPostalPointCode(stack); });

  const refusedRegistrations: [string, Record<string, unknown>, string, string | undefined][] = [
    ['a malformed personal ID number', { personalIdNumber: '12345' }, 'personalIdNumber', 'FORMAT'],
    ['an ID number of an unknown province', { personalIdNumber: '099190000123' }, 'personalIdNumber', 'PROVINCE'],
    ['an ID number whose gender digit contradicts the gender', { personalIdNumber: aPersonalIdNumber(1990, 'MALE') }, 'personalIdNumber', 'GENDER'],
    ['an ID number whose year contradicts the date of birth', { personalIdNumber: aPersonalIdNumber(1991, 'FEMALE') }, 'personalIdNumber', 'BIRTH_YEAR'],
    ['an ID number of the wrong century', { personalIdNumber: aPersonalIdNumber(2090, 'FEMALE').replace(/^(\d{3})3/, '$13') }, 'personalIdNumber', 'CENTURY'],
    ['a weak password', { password: 'password' }, 'password', undefined],
    ['a password containing the ID number', { password: 'Aa!' }, 'password', undefined],
    ['a phone that is not a Vietnamese mobile', { phone: '12345' }, 'phone', undefined],
    ['an unknown postal point', { verificationPostalPointCode: '999-BC-9999' }, 'verificationPostalPointCode', undefined],
    ['a child under 14', { dateOfBirth: '2020-01-01', personalIdNumber: aPersonalIdNumber(2020, 'FEMALE') }, 'dateOfBirth', undefined],
  ];

  it.each(refusedRegistrations)('refuses %s', async (_name, overrides, field, part) => {
    const input = aRegistration(overrides, point);
    if (input.password === 'Aa!') input.password = `Xy!${input.personalIdNumber}`;
    const error = await gqlError(stack.gatewayUrl, REGISTER, { input });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    const problems = error.extensions?.problems as { field: string; part?: string }[];
    expect(problems.map((p) => p.field)).toContain(field);
    if (part) expect(problems.find((p) => p.field === field)?.part).toBe(part);
    expect(await rowsWithPhone(input.phone as string)).toBe(0);
  });

  it('never makes a second account for the same ID number (and does not say why)', async () => {
    const { input } = await aConfirmedCitizen(stack);
    const phone = aMobile();
    const { registerCitizen } = await gql(stack.gatewayUrl, REGISTER, { input: { ...input, phone } });
    expect(registerCitizen.otpSent).toBe(true);
    expect(await smsTo(stack, phone)).toEqual([]);
    const accounts = await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.accounts WHERE personal_id_number = $1`, [input.personalIdNumber]);
    expect(accounts[0].n).toBe(1);
  });

  it('lets a registration whose phone was never confirmed be made again with the same phone, and voids its old code', async () => {
    const first = aRegistration({}, point);
    const { registerCitizen: before } = await gql(stack.gatewayUrl, REGISTER, { input: first });
    const oldCode = await lastOtp(stack, first.phone as string);
    const again = { ...first, fullName: 'Nguyễn Thị Lan Anh' };
    const { registerCitizen: after } = await gql(stack.gatewayUrl, REGISTER, { input: again });
    expect(after.otpChallengeId).not.toBe(before.otpChallengeId);
    const voided = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: before.otpChallengeId, code: oldCode });
    expect(voided.extensions?.reason).toBe('OTP_USED');
    const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: after.otpChallengeId, code: await lastOtp(stack, again.phone as string) });
    expect(confirmPhone.status).toBe('PENDING_IN_PERSON_VERIFICATION');
    const rows = await stack.identity.database.dataSource.query(`SELECT full_name, phone FROM identity.accounts WHERE personal_id_number = $1`, [first.personalIdNumber]);
    expect(rows).toEqual([{ full_name: 'Nguyễn Thị Lan Anh', phone: `+84${(again.phone as string).slice(1)}` }]);
    const claims = await stack.identity.database.dataSource.query(`SELECT status FROM identity.registration_claims WHERE personal_id_number = $1`, [first.personalIdNumber]);
    expect(claims).toEqual([{ status: 'CONFIRMED' }]);
  });

  it('a wrong code changes nothing; five wrong codes end the challenge, even with the right code after', async () => {
    const input = aRegistration({}, point);
    const { registerCitizen } = await gql(stack.gatewayUrl, REGISTER, { input });
    const right = await lastOtp(stack, input.phone as string);
    const wrong = right === '000000' ? '111111' : '000000';
    const first = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: wrong });
    expect(first.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_INVALID', attemptsLeft: 4 });
    const claim = await stack.identity.database.dataSource.query(`SELECT status FROM identity.registration_claims WHERE personal_id_number = $1`, [input.personalIdNumber]);
    expect(claim).toEqual([{ status: 'PENDING' }]);
    const accounts = await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.accounts WHERE personal_id_number = $1`, [input.personalIdNumber]);
    expect(accounts[0].n).toBe(0);

    // Asking for a new code does not reset the count of wrong attempts.
    await gql(stack.gatewayUrl, `mutation($id: ID!) { resendOtp(challengeId: $id) { challengeId } }`, { id: registerCitizen.otpChallengeId });
    const resent = await lastOtp(stack, input.phone as string);
    for (let i = 0; i < 3; i++) await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: resent === '000000' ? '111111' : '000000' });
    const fifth = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: resent === '222222' ? '333333' : '222222' });
    expect(fifth.extensions?.code).toBe('RATE_LIMITED');
    const afterwards = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: resent });
    expect(afterwards.extensions?.code).toBe('RATE_LIMITED');
  });

  it.each([
    ['confirmPhone', CONFIRM],
    ['verifyLoginOtp', `mutation($challengeId: ID!, $code: String!) { verifyLoginOtp(challengeId: $challengeId, code: $code) { accessToken } }`],
  ])('%s answers an id that is not one of ours as unknown, not as an internal error', async (_name, mutation) => {
    const error = await gqlError(stack.gatewayUrl, mutation, { challengeId: "x' OR 1=1 --", code: '123456' });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_UNKNOWN_CHALLENGE' });
  });

  it('refuses an expired code', async () => {
    const input = aRegistration({}, point);
    const { registerCitizen } = await gql(stack.gatewayUrl, REGISTER, { input });
    await stack.identity.database.dataSource.query(`UPDATE identity.otp_challenges SET expires_at = now() - interval '1 second' WHERE id = $1`, [registerCitizen.otpChallengeId]);
    const error = await gqlError(stack.gatewayUrl, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: await lastOtp(stack, input.phone as string) });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OTP_EXPIRED' });
  });

  it('gives the same answer for an unknown user and a wrong password, and locks after five failures', async () => {
    const { input } = await aConfirmedCitizen(stack);
    const unknown = await gqlError(stack.gatewayUrl, LOGIN, { username: '001190999999', password: 'Whatever-1!' });
    const wrong = await gqlError(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: 'Whatever-1!' });
    expect(unknown).toMatchObject({ message: wrong.message, extensions: { code: 'UNAUTHENTICATED' } });
    for (let i = 0; i < 4; i++) expect((await gqlError(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: 'Whatever-1!' })).extensions?.code).toBe('UNAUTHENTICATED');
    // Five failures: now even the right password is refused until the window passes.
    const locked = await gqlError(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: input.password });
    expect(locked.extensions?.code).toBe('RATE_LIMITED');
  });

  it('refuses to submit a dossier without a token, with a forged token, and directly at the subgraph', async () => {
    const submit = `mutation { submitDossier(input: { serviceCode: "GPLX_EXCHANGE", acceptDeclaration: true }) { id } }`;
    expect((await gqlError(stack.gatewayUrl, submit)).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gqlError(stack.gatewayUrl, submit, {}, 'not-a-token')).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gqlError(`${stack.documents.url}/graphql`, submit)).extensions?.code).toBe('UNAUTHENTICATED');
    const forged = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"ADMINISTRATOR","level":2}').toString('base64url')}.`;
    expect((await post(`${stack.documents.url}/graphql`, submit, {}, forged)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const dossiers = await stack.documents.database.dataSource.query(`SELECT count(*)::int AS n FROM documents.dossiers`);
    expect(dossiers[0].n).toBe(0);
  });

  it('refuses a dossier for an unknown service or a past appointment, and hides other people’s dossiers', async () => {
    const lan = await aLoggedInCitizen(stack);
    const submit = `mutation($input: SubmitDossierInput!) { submitDossier(input: $input) { id registrationCode } }`;
    const unknown = await gqlError(stack.gatewayUrl, submit, { input: { serviceCode: 'NO_SUCH', appointmentDate: '2099-01-01', acceptDeclaration: true } }, lan.token);
    expect(unknown.extensions?.code).toBe('BAD_USER_INPUT');
    const past = await gqlError(stack.gatewayUrl, submit, { input: { serviceCode: 'CCCD_RENEWAL', appointmentDate: '2000-01-01', acceptDeclaration: true } }, lan.token);
    expect((past.extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual(['appointmentDate']);

    const { submitDossier } = await gql(stack.gatewayUrl, submit, { input: { serviceCode: 'CCCD_RENEWAL', acceptDeclaration: true } }, lan.token);
    const other = await aLoggedInCitizen(stack);
    const seen = await gql(stack.gatewayUrl, `query($id: ID!, $c: String!) { dossier(id: $id) { id } dossierByCode(registrationCode: $c) { id } }`, { id: submitDossier.id, c: submitDossier.registrationCode }, other.token);
    expect(seen).toEqual({ dossier: null, dossierByCode: null });
  });
});
