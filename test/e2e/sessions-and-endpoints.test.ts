import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { startIdentity } from '../../subgraphs/identity/src/index';
import { generateSigningKeyPem } from '../../subgraphs/identity/src/sessions/signing-key';
import { ConfigError } from '../../subgraphs/shared/src';
import { aLoggedInCitizen, aRegistration, anOpenPostalPointCode, lastOtp, LOGIN, REGISTER, VERIFY } from '../kit/builders';
import { testGatewayKeys } from '../kit/gateway-proof';
import { gql, gqlError } from '../kit/gql';
import { createTestDatabase, startStack, useStack, type Stack } from '../kit/stack';

async function refreshTokensOf(stack: Stack, accountId: string): Promise<number> {
  return (await stack.identity.database.dataSource.query(`SELECT count(*)::int AS n FROM identity.refresh_tokens WHERE account_id = $1`, [accountId]))[0].n;
}

const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken account { id fullName } } }`;

describe('sessions and tokens', () => {
  const stack = useStack();

  it('publishes the public signing key as JWKS, and access tokens name that key, the audience and the role', async () => {
    const jwks = (await (await fetch(`${stack.identity.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const citizen = await aLoggedInCitizen(stack);
    expect(decodeProtectedHeader(citizen.token)).toMatchObject({ alg: 'ES256', kid: jwks.keys[0].kid });
    expect(decodeJwt(citizen.token)).toMatchObject({ sub: citizen.accountId, aud: 'national-identity-graph', role: 'CITIZEN', level: 1 });
  });

  it('rotates refresh tokens, and a replayed one ends the whole session family', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const first = (await gql(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken })).refreshSession;
    expect(first.account).toMatchObject({ id: citizen.accountId, fullName: 'Nguyễn Thị Lan' });
    expect(first.refreshToken).not.toBe(citizen.refreshToken);
    expect((await gql(stack.gatewayUrl, `{ me { id } }`, {}, first.accessToken)).me).toEqual({ id: citizen.accountId });

    const replay = await gqlError(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken });
    expect(replay.extensions?.code).toBe('UNAUTHENTICATED');
    // The newest token of the family was revoked with it.
    expect((await gqlError(stack.gatewayUrl, REFRESH, { t: first.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('starts no session for an account suspended while its login code was on the way', async () => {
    const citizen = await aLoggedInCitizen(stack);
    const { login } = await gql(stack.gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: citizen.input.password });
    const sessionsBefore = await refreshTokensOf(stack, citizen.accountId);
    await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET status = 'SUSPENDED' WHERE id = $1`, [citizen.accountId]);
    const refused = await gqlError(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, citizen.input.phone as string) });
    expect(refused.extensions?.code).toBe('FORBIDDEN');
    expect(await refreshTokensOf(stack, citizen.accountId)).toBe(sessionsBefore);
    // Nor can an earlier session be refreshed.
    expect((await gqlError(stack.gatewayUrl, REFRESH, { t: citizen.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('serves health and readiness on every service', async () => {
    for (const url of [stack.identity.url, stack.documents.url, stack.payments.url, stack.gateway.url]) {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status, url).toBe(200);
    }
    const gatewayReady = (await (await fetch(`${stack.gateway.url}/ready`)).json()) as { checks: Record<string, string> };
    expect(gatewayReady.checks).toEqual({ identity: 'ok', documents: 'ok', payments: 'ok', redis: 'ok' });
  });

  it('refuses queries nested too deep at the gateway', async () => {
    const deep = `{ me { dossiers { edges { node { applicant { dossiers { edges { node { applicant { dossiers { edges { node { id } } } } } } } } } } } } }`;
    const error = await gqlError(stack.gatewayUrl, deep);
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toMatch(/levels deep; at most 10/);
  });
});

describe('identity in production', () => {
  it('refuses to start without its secrets, naming each missing one', () => {
    const { GATEWAY_PUBLIC_KEY } = testGatewayKeys();
    expect(() => loadIdentityConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@y/z', GATEWAY_PUBLIC_KEY })).toThrow(ConfigError);
    try { loadIdentityConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@y/z', GATEWAY_PUBLIC_KEY }); } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['JWT_PRIVATE_KEY', 'OTP_HMAC_SECRET', 'REDIS_URL', 'SMS_GATEWAY_URL']);
    }
  });

  it('refuses an OTP secret shorter than 32 characters', () => {
    const { GATEWAY_PUBLIC_KEY } = testGatewayKeys();
    expect(() => loadIdentityConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://x@y/z', GATEWAY_PUBLIC_KEY, OTP_HMAC_SECRET: 'too-short' })).toThrow(/OTP_HMAC_SECRET: .*at least 32/);
  });

  it('sends codes through the SMS gateway and has no development outbox', async () => {
    const received: { to: string; text: string; authorization?: string }[] = [];
    let smsGatewayDown = false;
    const smsGateway = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (smsGatewayDown) { res.statusCode = 503; res.end(); return; }
        received.push({ ...JSON.parse(body), authorization: req.headers.authorization });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => smsGateway.listen(0, '127.0.0.1', resolve));
    const stack = await startStack({ postalPoints: 100 });
    const identity = await startIdentity(loadIdentityConfig({
      NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', IDENTITY_PORT: '0',
      DATABASE_URL: await createTestDatabase(), REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: `prod-test:${Date.now()}:`,
      JWT_PRIVATE_KEY: await generateSigningKeyPem(), OTP_HMAC_SECRET: 'a-production-otp-secret-of-32-characters-at-least',
      SMS_GATEWAY_URL: `http://127.0.0.1:${(smsGateway.address() as AddressInfo).port}/send`, SMS_GATEWAY_TOKEN: 'sms-secret',
      PAYMENTS_URL: `${stack.payments.url}/graphql`, GATEWAY_PUBLIC_KEY: testGatewayKeys().GATEWAY_PUBLIC_KEY,
    }));
    try {
      expect((await fetch(`${identity.url}/dev/sms`)).status).toBe(404);
      const input = aRegistration({ phone: '0987654321' }, await anOpenPostalPointCode(stack));
      await gql(`${identity.url}/graphql`, REGISTER, { input });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ to: '+84987654321', authorization: 'Bearer sms-secret' });
      expect(received[0].text).toMatch(/\b\d{6}\b/);

      // When the SMS gateway fails, the registration is kept and says so; a resend then delivers.
      smsGatewayDown = true;
      const second = aRegistration({ phone: '0987654322' }, await anOpenPostalPointCode(stack));
      const { registerCitizen } = await gql(`${identity.url}/graphql`, `mutation($input: RegisterCitizenInput!) { registerCitizen(input: $input) { otpChallengeId otpSent } }`, { input: second });
      expect(registerCitizen.otpSent).toBe(false);
      smsGatewayDown = false;
      await gql(`${identity.url}/graphql`, `mutation($id: ID!) { resendOtp(challengeId: $id) { challengeId } }`, { id: registerCitizen.otpChallengeId });
      expect(received.at(-1)?.to).toBe('+84987654322');

      // Production hides introspection.
      const introspection = await fetch(`${identity.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __schema { types { name } } }' }) });
      expect(((await introspection.json()) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);
    } finally {
      await identity.stop();
      await stack.stop();
      smsGateway.close();
    }
  });
});
