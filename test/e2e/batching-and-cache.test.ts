import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedIdentity } from '../../subgraphs/identity/src/database/seed';
import { aLoggedInCitizen, anOpenPostalPointCode, lastOtp, LOGIN, VERIFY } from '../kit/builders';
import { gql, gqlError } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

const SERVICES = ['GPLX_EXCHANGE', 'CCCD_RENEWAL', 'CCCD_REISSUE', 'RESIDENCE_REGISTRATION', 'PROMOTION_NOTICE'];

const DOSSIERS = `query($first: Int!) { me { fullName dossiers(first: $first) { edges { node { registrationCode applicant { id } service { name feeSchedule { total } } amountDue } } } } }`;

async function insertDossiers(stack: Stack, applicantId: string, count: number): Promise<void> {
  await stack.documents.database.dataSource.query(
    `INSERT INTO documents.dossiers (registration_code, service_code, applicant_account_id, status, channel, appointment_date, delivery_method, submitted_at)
     SELECT 'HS-261123-' || lpad(upper(to_hex(n)), 8, '0'), ($2::text[])[1 + n % array_length($2::text[], 1)], $1, 'SUBMITTED', 'ONLINE', DATE '2099-01-01', 'PICKUP', now() - n * interval '1 minute'
     FROM generate_series(1, $3) AS n`, [applicantId, SERVICES, count]);
}

describe('batching: the gateway asks for many entities at once and each subgraph answers in one go', () => {
  const stack = useStack();

  it('runs the same number of SQL statements for 5 dossiers as for 50 (no N+1), cold cache each time', async () => {
    const citizen = await aLoggedInCitizen(stack);
    await insertDossiers(stack, citizen.accountId, 50);
    const statementsFor = async (first: number) => {
      await stack.flushCache();
      const before = stack.sqlStatements();
      const { me } = await gql(stack.gatewayUrl, DOSSIERS, { first }, citizen.token);
      expect(me.dossiers.edges).toHaveLength(first);
      for (const { node } of me.dossiers.edges) expect(node.amountDue).toBe(node.service.feeSchedule.total);
      return stack.sqlStatements() - before;
    };
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(five).toBeGreaterThan(0);
    expect(fifty).toBe(five);
  });
});

describe('the shared cache', () => {
  const stack = useStack();

  it('keeps hot lookups in Redis and shows a write through the gateway at once', async () => {
    await seedIdentity(stack.identity.database.dataSource);
    const { login } = await gql(stack.gatewayUrl, LOGIN, { username: 'admin', password: DEMO_PASSWORD });
    const { verifyLoginOtp } = await gql(stack.gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(stack, '0912000006') });
    const adminToken = verifyLoginOtp.accessToken as string;
    const code = await anOpenPostalPointCode(stack);
    const read = `query($code: String!) { postalPoint(code: $code) { code isOpen } }`;

    expect((await gql(stack.gatewayUrl, read, { code })).postalPoint).toEqual({ code, isOpen: true });
    expect(await stack.redis.exists(`${stack.keyPrefix}payments:postal-point:v1:${code}`)).toBe(1);
    // A second read is served from Redis: no SQL at all.
    const before = stack.sqlStatements();
    await gql(stack.gatewayUrl, read, { code });
    expect(stack.sqlStatements()).toBe(before);

    await gql(stack.gatewayUrl, `mutation($code: String!) { setPostalPointOpen(code: $code, isOpen: false) { isOpen } }`, { code }, adminToken);
    expect((await gql(stack.gatewayUrl, read, { code })).postalPoint).toEqual({ code, isOpen: false });
  });

  it('caches accounts without their password hash', async () => {
    const citizen = await aLoggedInCitizen(stack);
    await gql(stack.gatewayUrl, `{ me { status } }`, {}, citizen.token);
    const cached = await stack.redis.get(`${stack.keyPrefix}identity:account:v2:${citizen.accountId}`);
    expect(cached).toContain('PENDING_IN_PERSON_VERIFICATION');
    expect(cached).not.toMatch(/scrypt|password/i);
  });
});

describe('when Redis is down', () => {
  // Nothing listens on port 1: every Redis command fails at once.
  const stack = useStack({ redisUrl: 'redis://127.0.0.1:1' });

  it('still answers lookups from the database (the cache fails open)', async () => {
    const code = await anOpenPostalPointCode(stack);
    const { postalPoint, publicService } = await gql(stack.gatewayUrl, `query($code: String!) { postalPoint(code: $code) { code } publicService(code: "GPLX_EXCHANGE") { feeSchedule { total } } }`, { code });
    expect(postalPoint).toEqual({ code });
    expect(publicService).toEqual({ feeSchedule: { total: '135000' } });
  });

  it('refuses to send one-time codes rather than skip the limits (limiters fail closed)', async () => {
    const error = await gqlError(stack.gatewayUrl, LOGIN, { username: 'nobody', password: 'Whatever-1!' });
    expect(error.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });
});
