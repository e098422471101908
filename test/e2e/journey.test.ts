import { describe, expect, it } from 'vitest';
import { aMobile, aPersonalIdNumber, anOpenPostalPointCode, GOOD_PASSWORD, lastOtp, LOGIN, REGISTER, VERIFY } from '../kit/builders';
import { gql } from '../kit/gql';
import { useStack } from '../kit/stack';

const SUBMIT = `mutation Submit($input: SubmitDossierInput!) { submitDossier(input: $input) { id registrationCode status service { code name } applicant { id fullName } } }`;
const CONFIRM_WITH_POINT = `mutation Confirm($challengeId: ID!, $code: String!) { confirmPhone(challengeId: $challengeId, code: $code) { id level status verificationPostalPoint { code name } } }`;
const ME_ACROSS_THREE_SUBGRAPHS = `query Me { me { fullName dossiers(first: 10) { edges { node { registrationCode service { name feeSchedule { total } } amountDue } } } } }`;

describe('a citizen registers, logs in and submits a dossier, all through the gateway', () => {
  const stack = useStack();

  it('runs the whole journey and answers one query spanning identity, documents and payments', async () => {
    const pointCode = await anOpenPostalPointCode(stack);
    const phone = aMobile();
    const personalIdNumber = aPersonalIdNumber(1995, 'MALE', '079');
    const input = { personalIdNumber, fullName: '  Trần   Quốc Tuấn ', dateOfBirth: '1995-08-30', gender: 'MALE', phone, email: null, password: GOOD_PASSWORD, verificationPostalPointCode: pointCode };

    const { registerCitizen } = await gql(stack.gatewayUrl, REGISTER, { input });
    expect(registerCitizen.otpSent).toBe(true);

    // The account exists from the moment the phone is proved.
    const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM_WITH_POINT, { challengeId: registerCitizen.otpChallengeId, code: await lastOtp(stack, phone) });
    expect(confirmPhone).toMatchObject({ level: 'LEVEL_1', status: 'PENDING_IN_PERSON_VERIFICATION' });
    // The chosen postal point is resolved by the payments subgraph through the gateway.
    expect(confirmPhone.verificationPostalPoint.code).toBe(pointCode);
    expect(confirmPhone.verificationPostalPoint.name).toMatch(/\S/);

    const { login } = await gql(stack.gatewayUrl, LOGIN, { username: personalIdNumber, password: GOOD_PASSWORD });
    const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, phone) });
    expect(verifyLoginOtp.account).toEqual({ id: confirmPhone.id, fullName: 'Trần Quốc Tuấn' });
    const token = verifyLoginOtp.accessToken as string;

    const { submitDossier } = await gql(stack.gatewayUrl, SUBMIT, { input: { serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true } }, token);
    expect(submitDossier.status).toBe('SUBMITTED');
    expect(submitDossier.registrationCode).toMatch(/^HS-\d{6}-[0-9A-Z]{8}$/);
    expect(submitDossier.service).toEqual({ code: 'GPLX_EXCHANGE', name: 'Đổi giấy phép lái xe' });
    expect(submitDossier.applicant).toEqual({ id: confirmPhone.id, fullName: 'Trần Quốc Tuấn' });

    const { me } = await gql(stack.gatewayUrl, ME_ACROSS_THREE_SUBGRAPHS, {}, token);
    expect(me).toEqual({
      fullName: 'Trần Quốc Tuấn',
      dossiers: { edges: [{ node: { registrationCode: submitDossier.registrationCode, service: { name: 'Đổi giấy phép lái xe', feeSchedule: { total: '135000' } }, amountDue: '135000' } }] },
    });

    const byCode = await gql(stack.gatewayUrl, `query($c: String!) { dossierByCode(registrationCode: $c) { id status } }`, { c: submitDossier.registrationCode }, token);
    expect(byCode.dossierByCode).toEqual({ id: submitDossier.id, status: 'SUBMITTED' });
  });
});
