import { randomInt } from 'node:crypto';
import { gql } from './gql';
import type { Stack } from './stack';

export const GOOD_PASSWORD = 'Sao-Mai-2026!';

/** A personal identification number consistent with the given birth year and gender (Hà Nội, 001). */
export function aPersonalIdNumber(birthYear = 1990, gender: 'MALE' | 'FEMALE' = 'FEMALE', province = '001'): string {
  const century = Math.floor((birthYear - 1900) / 100) * 2 + (gender === 'FEMALE' ? 1 : 0);
  return `${province}${century}${String(birthYear % 100).padStart(2, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

export function aMobile(): string {
  return `09${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

export async function anOpenPostalPointCode(stack: Stack): Promise<string> {
  const rows = await stack.payments.database.dataSource.query(`SELECT code FROM payments.postal_points WHERE is_open ORDER BY code LIMIT 1`);
  return rows[0].code;
}

export function aRegistration(overrides: Record<string, unknown> = {}, postalPointCode = '001-BC-0001') {
  return {
    personalIdNumber: aPersonalIdNumber(1990, 'FEMALE'),
    fullName: 'Nguyễn Thị Lan',
    dateOfBirth: '1990-04-12',
    gender: 'FEMALE',
    phone: aMobile(),
    email: 'lan@example.vn',
    password: GOOD_PASSWORD,
    verificationPostalPointCode: postalPointCode,
    ...overrides,
  };
}

/** A registration is a claim waiting for its phone: no account until confirmPhone. */
export const REGISTER = `mutation Register($input: RegisterCitizenInput!) {
  registerCitizen(input: $input) { otpChallengeId otpExpiresAt otpSent }
}`;
export const CONFIRM = `mutation Confirm($challengeId: ID!, $code: String!) { confirmPhone(challengeId: $challengeId, code: $code) { id level status } }`;
export const RESEND = `mutation Resend($challengeId: ID!) { resendOtp(challengeId: $challengeId) { challengeId expiresAt } }`;
export const LOGIN = `mutation Login($username: String!, $password: String!) { login(username: $username, password: $password) { challengeId expiresAt } }`;
export const VERIFY = `mutation Verify($challengeId: ID!, $code: String!) { verifyLoginOtp(challengeId: $challengeId, code: $code) { accessToken refreshToken expiresAt account { id fullName } } }`;

/** What identity's development outbox holds for a phone, newest first, read over HTTP like a developer would. */
export async function smsTo(stack: { identity: { url: string } }, phone: string): Promise<{ text: string; sentAt: string }[]> {
  const response = await fetch(`${stack.identity.url}/dev/sms?phone=${encodeURIComponent(phone)}`);
  return ((await response.json()) as { messages: { text: string; sentAt: string }[] }).messages;
}

/** The newest code the development outbox holds for a phone. */
export async function lastOtp(stack: { identity: { url: string } }, phone: string): Promise<string> {
  const messages = await smsTo(stack, phone);
  const code = /(\d{6})/.exec(messages[0]?.text ?? '')?.[1];
  if (!code) throw new Error(`No code in the outbox for ${phone}`);
  return code;
}

/** Registers a citizen through the gateway and confirms the phone: a level-1 account that can log in. */
export async function aConfirmedCitizen(stack: Stack, overrides: Record<string, unknown> = {}) {
  const input = aRegistration(overrides, await anOpenPostalPointCode(stack));
  const registered = await gql(stack.gatewayUrl, REGISTER, { input });
  const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: registered.registerCitizen.otpChallengeId, code: await lastOtp(stack, input.phone as string) });
  return { input, accountId: confirmPhone.id as string };
}

/** A confirmed citizen, logged in: returns the access token too. */
export async function aLoggedInCitizen(stack: Stack, overrides: Record<string, unknown> = {}) {
  const citizen = await aConfirmedCitizen(stack, overrides);
  const { login } = await gql(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: citizen.input.password });
  const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, citizen.input.phone as string) });
  return { ...citizen, token: verifyLoginOtp.accessToken as string, refreshToken: verifyLoginOtp.refreshToken as string };
}

/** A passport number (two letters, seven digits, as Japan's), upper-case like the registry stores it. */
export function aPassportNumber(): string {
  return `TK${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

/** A foreigner's online registration (người nước ngoài): a passport and its nationality instead of an ID number. */
export function aForeignerRegistration(overrides: Record<string, unknown> = {}, postalPointCode = '001-BC-0001') {
  return {
    passportNumber: aPassportNumber(),
    nationality: 'JP',
    fullName: 'Sato Yuki',
    dateOfBirth: '1988-02-03',
    gender: 'MALE',
    phone: aMobile(),
    email: 'yuki@example.jp',
    password: GOOD_PASSWORD,
    verificationPostalPointCode: postalPointCode,
    ...overrides,
  };
}

export const REGISTER_FOREIGNER = `mutation RegisterForeigner($input: RegisterForeignerInput!) {
  registerForeigner(input: $input) { otpChallengeId otpExpiresAt otpSent }
}`;

/** A foreigner's username: nationality and passport number ("JP:TK1234567"). */
export const foreignerUsernameOf = (input: Record<string, unknown>) => `${String(input.nationality).toUpperCase()}:${String(input.passportNumber).toUpperCase()}`;

/** Registers a foreigner through the gateway and confirms the phone: a level-1 FOREIGNER account that can log in. */
export async function aConfirmedForeigner(stack: Stack, overrides: Record<string, unknown> = {}) {
  const input = aForeignerRegistration(overrides, await anOpenPostalPointCode(stack));
  const registered = await gql(stack.gatewayUrl, REGISTER_FOREIGNER, { input });
  const { confirmPhone } = await gql(stack.gatewayUrl, CONFIRM, { challengeId: registered.registerForeigner.otpChallengeId, code: await lastOtp(stack, input.phone as string) });
  return { input, accountId: confirmPhone.id as string, username: foreignerUsernameOf(input) };
}
