import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../../scripts/lib/local-services';
import { verifyPassword } from '../../subgraphs/identity/src/accounts/password-hash';
import { loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { startIdentity, type RunningIdentity } from '../../subgraphs/identity/src/index';
import type { PostalPointDirectory } from '../../subgraphs/identity/src/postal-points/postal-point.directory';
import { aConfirmedCitizen, aMobile, aRegistration, CONFIRM, GOOD_PASSWORD, lastOtp, LOGIN, REGISTER } from '../kit/builders';
import { testGatewayProof } from '../kit/gateway-proof';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { subgraphTestEnv, useStack } from '../kit/stack';

const WRONG = 'Whatever-1!';
const open: PostalPointDirectory = { find: async (code) => ({ code, name: 'Bưu cục thử', isOpen: true }) };

function codes(responses: GraphQLResponse<unknown>[]): string[] {
  return responses.map((r) => (r.errors?.length ? String(r.errors[0].extensions?.code) : 'OK'));
}

function count(list: string[], value: string): number {
  return list.filter((x) => x === value).length;
}

describe('login limits hold by construction', () => {
  const stack = useStack();

  it('of 20 wrong passwords at once exactly 5 reach the password check; then even the right one is refused', async () => {
    const { input } = await aConfirmedCitizen(stack);
    const answers = codes(await Promise.all(Array.from({ length: 20 }, () => post(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: WRONG }))));
    // UNAUTHENTICATED is only ever answered after the password was checked.
    expect(count(answers, 'UNAUTHENTICATED')).toBe(5);
    expect(count(answers, 'RATE_LIMITED')).toBe(15);
    const locked = await post(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: input.password });
    expect(locked.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(locked.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('keeps every limiter key in Redis with a TTL', async () => {
    const { input } = await aConfirmedCitizen(stack);
    await post(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: WRONG });
    const keys = await stack.redis.keys(`${stack.keyPrefix}limit:*`);
    expect(keys).toContain(`${stack.keyPrefix}limit:login-username:${input.personalIdNumber}`);
    expect(keys.some((k) => k.startsWith(`${stack.keyPrefix}limit:login-ip:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${stack.keyPrefix}limit:registration-ip:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${stack.keyPrefix}limit:otp-send-phone:`))).toBe(true);
    for (const key of keys) expect(await stack.redis.ttl(key), key).toBeGreaterThan(0);
  });

  it('clears the username’s count on a right password', async () => {
    const { input } = await aConfirmedCitizen(stack);
    for (let i = 0; i < 4; i++) await post(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: WRONG });
    expect((await gql(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: input.password })).login.challengeId).toBeTruthy();
    const again = codes(await Promise.all(Array.from({ length: 5 }, () => post(stack.gatewayUrl, LOGIN, { username: input.personalIdNumber, password: WRONG }))));
    expect(again).toEqual(Array(5).fill('UNAUTHENTICATED'));
  });
});

/** A request as the gateway would forward it for a client at `ip` (the gateway vouches for the address). */
async function postFrom(ip: string, identity: RunningIdentity, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse<any>> {
  const body = JSON.stringify({ query, variables });
  const response = await fetch(`${identity.url}/graphql`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-gateway-proof': await testGatewayProof('identity', body, ip) },
  });
  return { status: response.status, ...((await response.json()) as object) };
}

describe('limits per client IP', () => {
  async function anIdentity(env: Record<string, string>, verifyPasswordCalls?: { n: number }) {
    const base = await subgraphTestEnv(`per-ip:${Date.now()}:${Math.random()}:`, { jwksUrl: 'http://127.0.0.1:9/unused', issuer: 'national-identity-graph' });
    return startIdentity(loadIdentityConfig({ ...base, IDENTITY_PORT: '0', ...env }), {
      postalPoints: open,
      verifyPassword: async (password, stored) => { if (verifyPasswordCalls) verifyPasswordCalls.n++; return verifyPassword(password, stored); },
    });
  }

  it('login: attempts per IP are counted before the password check; a right password gives its attempt back; other IPs are not affected', async () => {
    const checks = { n: 0 };
    const identity = await anIdentity({ LOGIN_ATTEMPTS_PER_IP: '3' }, checks);
    const url = `${identity.url}/graphql`;
    try {
      const input = aRegistration();
      const { registerCitizen } = await gql(url, REGISTER, { input });
      await gql(url, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: await lastOtp({ identity }, input.phone as string) });

      // Right passwords do not use up the network's allowance.
      for (let i = 0; i < 2; i++) await gql(url, LOGIN, { username: input.personalIdNumber, password: GOOD_PASSWORD });
      // Three failures on three usernames (each far below its own limit) use it up.
      const failures = await Promise.all(['001190000001', '001190000002', '001190000003'].map((username) => post(url, LOGIN, { username, password: WRONG })));
      expect(codes(failures)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
      expect(checks.n).toBe(5);
      const refused = await post(url, LOGIN, { username: input.personalIdNumber, password: GOOD_PASSWORD });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refused.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(800);
      expect(checks.n).toBe(5);

      // The same account from another network logs in.
      const elsewhere = await postFrom('198.51.100.23', identity, LOGIN, { username: input.personalIdNumber, password: GOOD_PASSWORD });
      expect(elsewhere.errors).toBeUndefined();
      expect(checks.n).toBe(6);
    } finally {
      await identity.stop();
    }
  });

  it('registration: at most N per IP and hour, however they are packed (aliases in one request), and the refused one writes nothing', async () => {
    const identity = await anIdentity({ REGISTRATIONS_PER_IP: '2' });
    const url = `${identity.url}/graphql`;
    const claims = async () => Number((await identity.database.dataSource.query(`SELECT count(*) AS n FROM identity.registration_claims`))[0].n);
    try {
      await gql(url, REGISTER, { input: aRegistration() });
      await gql(url, REGISTER, { input: aRegistration() });
      const third = aRegistration();
      const refused = await post(url, REGISTER, { input: third });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refused.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(3000);
      expect(await claims()).toBe(2);

      // Another client, three registrations as aliases of one mutation: the third field is refused.
      const packed = `mutation($a: RegisterCitizenInput!, $b: RegisterCitizenInput!, $c: RegisterCitizenInput!) {
        a: registerCitizen(input: $a) { otpChallengeId } b: registerCitizen(input: $b) { otpChallengeId } c: registerCitizen(input: $c) { otpChallengeId } }`;
      const answer = await postFrom('2001:db8:5:6::1', identity, packed, { a: aRegistration(), b: aRegistration(), c: aRegistration() });
      // Mutation fields run one after the other: a and b were registered, c was refused (and, being
      // non-null, nulls the whole answer's data).
      expect(answer.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['c'], 'RATE_LIMITED']]);
      expect(await claims()).toBe(4);
      // The same /64, another address: the same client.
      const sameBlock = await postFrom('2001:db8:5:6:ffff::2', identity, REGISTER, { input: aRegistration() });
      expect(sameBlock.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      expect(await claims()).toBe(4);
    } finally {
      await identity.stop();
    }
  });

  it('refuses (SERVICE_UNAVAILABLE) and checks no password when Redis is configured but stopped', async () => {
    const redis = await startRedisServer();
    const checks = { n: 0 };
    const identity = await anIdentity({ REDIS_URL: redis.url }, checks);
    const url = `${identity.url}/graphql`;
    try {
      const input = aRegistration();
      const { registerCitizen } = await gql(url, REGISTER, { input });
      await gql(url, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: await lastOtp({ identity }, input.phone as string) });
      await redis.stop();

      const login = await post(url, LOGIN, { username: input.personalIdNumber, password: WRONG });
      expect(login.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(checks.n).toBe(0);
      const registration = await post(url, REGISTER, { input: aRegistration({ phone: aMobile() }) });
      expect(registration.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(Number((await identity.database.dataSource.query(`SELECT count(*) AS n FROM identity.registration_claims`))[0].n)).toBe(1);
    } finally {
      await identity.stop();
      await redis.stop();
    }
  });
});
