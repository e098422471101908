import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CompactSign, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGateway } from '../../gateway/src/index';
import { loadGatewayConfig } from '../../gateway/src/config';
import { Account, AccountKind, AccountStatus, AssuranceLevel, Gender } from '../../subgraphs/identity/src/accounts/account.entity';
import { loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { startIdentity, type RunningIdentity } from '../../subgraphs/identity/src/index';
import { QrPayloadCodec } from '../../subgraphs/identity/src/qr/qr-payload';
import { QR_CODES_PER_HOLDER } from '../../subgraphs/identity/src/qr/identity-qr.service';
import { generateSigningKeyPem, loadSigningKey, type SigningKey } from '../../subgraphs/identity/src/sessions/signing-key';
import { Role, type RunningService } from '../../subgraphs/shared/src';
import { aLoggedInCitizen } from '../kit/builders';
import { testGatewayKeys } from '../kit/gateway-proof';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { createTestDatabase, useStack, type Stack } from '../kit/stack';
import { signTestToken, type TestTokenClaims } from '../kit/tokens';

const CREATE = `mutation($share: [IdentityAttribute!]) { createIdentityQr(share: $share) { payload expiresAt svg sharedAttributes } }`;
const VERIFY = `mutation($payload: String!) {
  verifyIdentityQr(payload: $payload) { fullName dateOfBirth level sharedAttributes personalIdNumber gender phone email passportNumber nationality verifiedAt }
}`;
const ACCESS_LOG = `{ me { accessLog(first: 50) { edges { node { action accessorName postalPointCode agencyCode attributes outcome reason } } } } }`;

const OFFICIAL: TestTokenClaims = { role: Role.OFFICIAL, level: 2, agencyCode: 'C06' };
const CLERK: TestTokenClaims = { role: Role.POSTAL_CLERK, level: 2, postalPointCode: '001-BC-0001' };

/** The first error's code and reason, or 'OK' with the data. */
const outcome = (response: GraphQLResponse<any>) => (response.errors?.length
  ? { code: response.errors[0].extensions?.code, reason: response.errors[0].extensions?.reason ?? null }
  : { code: 'OK', reason: null });

/** A citizen who registered through the gateway, raised to level 2 in SQL (activation is built elsewhere), with a level-2 token. */
async function aLevel2Holder(stack: Stack) {
  const citizen = await aLoggedInCitizen(stack);
  await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [citizen.accountId]);
  await stack.flushCache();
  return { ...citizen, token: await stack.tokenFor({ role: Role.CITIZEN, accountId: citizen.accountId, level: 2 }) };
}

const jtiOf = (payload: string) => JSON.parse(Buffer.from(payload.split('.')[1], 'base64url').toString()).jti as string;

describe('identity QR codes (VNeID)', () => {
  const stack = useStack();

  describe('through the gateway', () => {
    let holder: Awaited<ReturnType<typeof aLevel2Holder>>;
    const makeCode = async (share?: string[], token = holder.token, url = stack.gatewayUrl) =>
      (await gql(url, CREATE, share ? { share } : {}, token)).createIdentityQr as { payload: string; expiresAt: string; svg: string; sharedAttributes: string[] };
    const scan = async (payload: string, claims: TestTokenClaims | null = OFFICIAL, url = stack.gatewayUrl) =>
      post(url, VERIFY, { payload }, claims ? await stack.tokenFor(claims) : undefined);

    beforeAll(async () => { holder = await aLevel2Holder(stack); });

    it('lets one holder make 30 codes in ten minutes, not more (counted in Redis)', async () => {
      const busy = await aLevel2Holder(stack);
      const made = await Promise.all(Array.from({ length: 32 }, () => post(stack.gatewayUrl, CREATE, {}, busy.token)));
      const answers = made.map((r) => r.errors?.[0].extensions?.code ?? 'OK');
      expect(answers.filter((a) => a === 'OK')).toHaveLength(QR_CODES_PER_HOLDER.limit);
      expect(answers.filter((a) => a === 'RATE_LIMITED')).toHaveLength(2);
      // Another holder is not affected.
      expect((await makeCode()).payload).toEqual(expect.any(String));
    });

    it('shows the holder\'s name, date of birth and level, and exactly the items they chose', async () => {
      const code = await makeCode(['PERSONAL_ID_NUMBER', 'GENDER']);
      expect(code.payload.length).toBeLessThan(400);
      expect(code.svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect(Date.parse(code.expiresAt) - Date.now()).toBeGreaterThan(55_000);
      expect(Date.parse(code.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
      expect(code.sharedAttributes).toEqual(['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH', 'GENDER']);
      const { verifyIdentityQr } = await gql(stack.gatewayUrl, VERIFY, { payload: code.payload }, await stack.tokenFor(OFFICIAL));
      expect({ ...verifyIdentityQr, verifiedAt: undefined }).toEqual({
        fullName: holder.input.fullName, dateOfBirth: holder.input.dateOfBirth, level: 'LEVEL_2',
        sharedAttributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH', 'GENDER'],
        personalIdNumber: holder.input.personalIdNumber, gender: 'FEMALE',
        phone: null, email: null, passportNumber: null, nationality: null, verifiedAt: undefined,
      });

      // Nothing chosen: the identity alone.
      const plain = await makeCode();
      const shown = (await gql(stack.gatewayUrl, VERIFY, { payload: plain.payload }, await stack.tokenFor(CLERK))).verifyIdentityQr;
      expect(shown).toMatchObject({ fullName: holder.input.fullName, dateOfBirth: holder.input.dateOfBirth, level: 'LEVEL_2', sharedAttributes: ['FULL_NAME', 'DATE_OF_BIRTH'] });
      expect([shown.personalIdNumber, shown.gender, shown.phone, shown.email, shown.passportNumber, shown.nationality]).toEqual([null, null, null, null, null, null]);
    });

    it('is used once: a second scan is QR_USED, and the verifier is on record', async () => {
      const code = await makeCode();
      expect(outcome(await scan(code.payload, { ...CLERK, accountId: randomUUID() }))).toEqual({ code: 'OK', reason: null });
      for (const claims of [OFFICIAL, CLERK]) expect(outcome(await scan(code.payload, claims))).toEqual({ code: 'BAD_USER_INPUT', reason: 'QR_USED' });
      const [row] = await stack.identity.database.dataSource.query(`SELECT verified_by_role, verified_postal_point_code, used_at FROM identity.qr_codes WHERE id = $1`, [jtiOf(code.payload)]);
      expect(row).toMatchObject({ verified_by_role: 'POSTAL_CLERK', verified_postal_point_code: '001-BC-0001' });
    });

    it('lets exactly one of ten simultaneous scans through; the nine others are QR_USED', async () => {
      const code = await makeCode(['GENDER']);
      const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => stack.tokenFor(i % 2 ? CLERK : OFFICIAL)));
      const results = await Promise.all(tokens.map((token) => post(stack.gatewayUrl, VERIFY, { payload: code.payload }, token)));
      const outcomes = results.map(outcome);
      expect(outcomes.filter((o) => o.code === 'OK')).toHaveLength(1);
      expect(outcomes.filter((o) => o.code !== 'OK')).toEqual(Array(9).fill({ code: 'BAD_USER_INPUT', reason: 'QR_USED' }));
      expect(results.find((r) => !r.errors)!.data.verifyIdentityQr).toMatchObject({ gender: 'FEMALE', personalIdNumber: null });
    });

    it('refuses a changed character, another key, an access token or garbage as QR_INVALID, and consumes nothing', async () => {
      const code = await makeCode();
      const [header, claims, signature] = code.payload.split('.');
      const flip = (s: string) => { const at = Math.floor(s.length / 2); return s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1); };
      const other: SigningKey = await loadSigningKey(await generateSigningKeyPem());
      const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify({ jti: jtiOf(code.payload) })))
        .setProtectedHeader({ alg: 'ES256', kid: decodeProtectedHeader(code.payload).kid!, typ: 'idqr+jwt' }).sign(other.privateKey);
      const bad = {
        'a character of the header changed': `${flip(header)}.${claims}.${signature}`,
        'a character of the claims changed': `${header}.${flip(claims)}.${signature}`,
        'a character of the signature changed': `${header}.${claims}.${flip(signature)}`,
        'signed with another key': await new QrPayloadCodec(other).sign(jtiOf(code.payload)),
        'signed with another key under our key id': forged,
        'an access token': holder.token,
        'an official\'s access token': await stack.tokenFor(OFFICIAL),
        'garbage': 'hello',
      };
      for (const [how, payload] of Object.entries(bad)) expect({ how, ...outcome(await scan(payload)) }).toEqual({ how, code: 'BAD_USER_INPUT', reason: 'QR_INVALID' });
      expect(outcome(await scan(code.payload))).toEqual({ code: 'OK', reason: null });
    });

    it('refuses a QR payload presented as an access token, at the gateway and at identity', async () => {
      const code = await makeCode();
      for (const url of [stack.gatewayUrl, `${stack.identity.url}/graphql`]) {
        const response = await post(url, `{ me { id } }`, {}, code.payload);
        expect({ url, status: response.status, ...outcome(response) }).toEqual({ url, status: 401, code: 'UNAUTHENTICATED', reason: null });
      }
    });

    it('says QR_UNKNOWN for a genuine code it has no record of', async () => {
      const code = await makeCode();
      await stack.identity.database.dataSource.query(`DELETE FROM identity.qr_codes WHERE id = $1`, [jtiOf(code.payload)]);
      expect(outcome(await scan(code.payload))).toEqual({ code: 'BAD_USER_INPUT', reason: 'QR_UNKNOWN' });
    });

    it('refuses a code whose holder was suspended or revoked after making it (QR_HOLDER_INACTIVE), and a suspended holder makes none', async () => {
      for (const status of ['SUSPENDED', 'REVOKED']) {
        const other = await aLevel2Holder(stack);
        const code = await makeCode([], other.token);
        await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET status = $2 WHERE id = $1`, [other.accountId, status]);
        await stack.flushCache();
        expect(outcome(await scan(code.payload))).toEqual({ code: 'BAD_USER_INPUT', reason: 'QR_HOLDER_INACTIVE' });
        expect(outcome(await post(stack.gatewayUrl, CREATE, {}, other.token))).toEqual({ code: 'FORBIDDEN', reason: null });
      }
    });

    it('is made only by a level-2 citizen or foreigner: not at level 1, not by staff, partners or anonymous callers', async () => {
      const levelOne = await aLoggedInCitizen(stack);
      const refused: [string, string | undefined, string][] = [
        ['a level-1 citizen', levelOne.token, 'FORBIDDEN'],
        ['a level-1 citizen whose token says level 2', await stack.tokenFor({ role: Role.CITIZEN, accountId: levelOne.accountId, level: 2 }), 'FORBIDDEN'],
        ['the level-2 holder with a level-1 token', await stack.tokenFor({ role: Role.CITIZEN, accountId: holder.accountId, level: 1 }), 'FORBIDDEN'],
        ['an official', await stack.tokenFor(OFFICIAL), 'FORBIDDEN'],
        ['a postal clerk', await stack.tokenFor(CLERK), 'FORBIDDEN'],
        ['a partner bank', await stack.tokenFor({ role: Role.PARTNER_BANK }), 'FORBIDDEN'],
        ['an administrator', await stack.tokenFor({ role: Role.ADMINISTRATOR }), 'FORBIDDEN'],
        ['anonymous', undefined, 'UNAUTHENTICATED'],
      ];
      for (const [who, token, code] of refused) {
        const response = await post(stack.gatewayUrl, CREATE, { share: ['GENDER'] }, token);
        expect({ who, ...outcome(response), data: response.data ?? null }).toEqual({ who, code, reason: null, data: null });
      }
    });

    it('is scanned only by a level-2 official or postal clerk; a refused scanner consumes nothing and is not logged', async () => {
      const code = await makeCode();
      const refused: [string, TestTokenClaims | null, string][] = [
        ['a level-1 postal clerk', { ...CLERK, level: 1 }, 'FORBIDDEN'],
        ['a level-1 official', { ...OFFICIAL, level: 1 }, 'FORBIDDEN'],
        ['a level-2 citizen', { role: Role.CITIZEN, level: 2 }, 'FORBIDDEN'],
        ['the holder', { role: Role.CITIZEN, accountId: holder.accountId, level: 2 }, 'FORBIDDEN'],
        ['a partner bank', { role: Role.PARTNER_BANK, level: 2 }, 'FORBIDDEN'],
        ['finance', { role: Role.FINANCE, level: 2 }, 'FORBIDDEN'],
        ['an administrator', { role: Role.ADMINISTRATOR, level: 2 }, 'FORBIDDEN'],
        ['anonymous', null, 'UNAUTHENTICATED'],
      ];
      for (const [who, claims, expected] of refused) expect({ who, ...outcome(await scan(code.payload, claims)) }).toEqual({ who, code: expected, reason: null });
      expect(outcome(await scan(code.payload, CLERK))).toEqual({ code: 'OK', reason: null });
    });

    it('puts every scan of a known holder in their access log: who, what was shown, the outcome and the reason', async () => {
      const person = await aLevel2Holder(stack);
      const code = await makeCode(['PERSONAL_ID_NUMBER'], person.token);
      expect(outcome(await scan(code.payload, CLERK))).toEqual({ code: 'OK', reason: null });
      expect(outcome(await scan(code.payload, OFFICIAL))).toEqual({ code: 'BAD_USER_INPUT', reason: 'QR_USED' });
      expect(outcome(await scan('not a code', OFFICIAL))).toEqual({ code: 'BAD_USER_INPUT', reason: 'QR_INVALID' });
      const { me } = await gql(stack.gatewayUrl, ACCESS_LOG, {}, person.token);
      expect(me.accessLog.edges.map((e: { node: unknown }) => e.node)).toEqual([
        { action: 'VERIFY_QR', accessorName: 'Official of C06', postalPointCode: null, agencyCode: 'C06', attributes: [], outcome: 'REFUSED', reason: 'QR_USED' },
        { action: 'VERIFY_QR', accessorName: 'Postal clerk at 001-BC-0001', postalPointCode: '001-BC-0001', agencyCode: null, attributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH'], outcome: 'ALLOWED', reason: null },
      ]);
    });

    it('answers a direct call to identity exactly as through the gateway', async () => {
      const direct = `${stack.identity.url}/graphql`;
      // A code made directly is scanned through the gateway, and the other way round.
      const madeDirectly = await makeCode(['GENDER'], holder.token, direct);
      const madeViaGateway = await makeCode(['GENDER'], holder.token, stack.gatewayUrl);
      const viaGateway = (await gql(stack.gatewayUrl, VERIFY, { payload: madeDirectly.payload }, await stack.tokenFor(OFFICIAL))).verifyIdentityQr;
      const viaDirect = (await gql(direct, VERIFY, { payload: madeViaGateway.payload }, await stack.tokenFor(OFFICIAL))).verifyIdentityQr;
      expect({ ...viaDirect, verifiedAt: null }).toEqual({ ...viaGateway, verifiedAt: null });

      const levelOne = await aLoggedInCitizen(stack);
      const cases: [string, string, Record<string, unknown>, () => Promise<string | undefined>][] = [
        ['create, anonymous', CREATE, {}, async () => undefined],
        ['create, level-1 citizen', CREATE, {}, async () => levelOne.token],
        ['create, official', CREATE, {}, () => stack.tokenFor(OFFICIAL)],
        ['scan, anonymous', VERIFY, { payload: madeDirectly.payload }, async () => undefined],
        ['scan, level-1 clerk', VERIFY, { payload: madeDirectly.payload }, () => stack.tokenFor({ ...CLERK, level: 1 })],
        ['scan, citizen', VERIFY, { payload: madeDirectly.payload }, () => stack.tokenFor({ role: Role.CITIZEN })],
        ['scan, used', VERIFY, { payload: madeDirectly.payload }, () => stack.tokenFor(OFFICIAL)],
        ['scan, invalid', VERIFY, { payload: `${madeDirectly.payload}x` }, () => stack.tokenFor(OFFICIAL)],
      ];
      for (const [name, query, variables, token] of cases) {
        const [d, g] = [await post(direct, query, variables, await token()), await post(stack.gatewayUrl, query, variables, await token())];
        expect({ name, ...outcome(d), data: d.data ?? null }).toEqual({ name, ...outcome(g), data: g.data ?? null });
      }
    });
  });

  /**
   * Expiry, on an identity whose clock the test holds (`startIdentity(…, { now })`), behind its own gateway. The
   * rest of the graph is the shared stack's; only identity's QR codes read this clock.
   */
  describe('60 seconds, on a clock the test moves', () => {
    const start = Date.parse('2026-03-01T08:00:00.000Z');
    let clock = new Date(start);
    const at = (seconds: number) => { clock = new Date(start + seconds * 1000); };
    let identity: RunningIdentity;
    let gateway: RunningService;
    let key: SigningKey;
    let holderId: string;
    const tokenFor = (claims: TestTokenClaims) => signTestToken({ privateKey: key.privateKey, kid: key.kid, issuer: 'national-identity-graph' }, claims);

    beforeAll(async () => {
      const pem = await generateSigningKeyPem();
      key = await loadSigningKey(pem);
      identity = await startIdentity(loadIdentityConfig({
        NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', IDENTITY_PORT: '0', DATABASE_URL: await createTestDatabase(),
        REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: `test:${randomUUID().slice(0, 8)}:`, GATEWAY_PUBLIC_KEY: testGatewayKeys().GATEWAY_PUBLIC_KEY,
        JWT_PRIVATE_KEY: pem, PAYMENTS_URL: `${stack.payments.url}/graphql`,
      }), { now: () => clock });
      gateway = await startGateway(loadGatewayConfig({
        NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY,
        SUPERGRAPH_PATH: path.join(__dirname, '../../schema/supergraph.graphql'),
        IDENTITY_URL: `${identity.url}/graphql`, DOCUMENTS_URL: `${stack.documents.url}/graphql`, PAYMENTS_URL: `${stack.payments.url}/graphql`,
        IDENTITY_JWKS_URL: `${identity.url}/.well-known/jwks.json`,
      }));
      const repo = identity.database.dataSource.getRepository(Account);
      const account = repo.create({
        kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: '001190654321', personalIdNumber: '001190654321', fullName: 'Lê Văn Nam',
        dateOfBirth: '1990-06-01', gender: Gender.MALE, phone: '+84912000111', email: null, passwordHash: 'x',
        level: AssuranceLevel.LEVEL_2, status: AccountStatus.ACTIVE, verificationPostalPointCode: null, postalPointCode: null, agencyCode: null,
      });
      await repo.insert(account);
      holderId = account.id;
    });
    afterAll(async () => { await gateway?.stop(); await identity?.stop(); });

    const url = () => `${gateway.url}/graphql`;
    const make = async () => {
      at(0);
      return (await gql(url(), CREATE, {}, await tokenFor({ role: Role.CITIZEN, accountId: holderId, level: 2 }))).createIdentityQr as { payload: string; expiresAt: string };
    };

    it('expires 60 seconds after it was made: fine at 59 s, QR_EXPIRED at 60 s and 61 s (and in the holder\'s log)', async () => {
      const first = await make();
      expect(first.expiresAt).toBe('2026-03-01T08:01:00.000Z');
      at(59);
      expect(outcome(await post(url(), VERIFY, { payload: first.payload }, await tokenFor(OFFICIAL)))).toEqual({ code: 'OK', reason: null });
      for (const seconds of [60, 61]) {
        const code = await make();
        at(seconds);
        expect({ seconds, ...outcome(await post(url(), VERIFY, { payload: code.payload }, await tokenFor(CLERK))) }).toEqual({ seconds, code: 'BAD_USER_INPUT', reason: 'QR_EXPIRED' });
      }
      const { me } = await gql(url(), ACCESS_LOG, {}, await tokenFor({ role: Role.CITIZEN, accountId: holderId, level: 2 }));
      expect(me.accessLog.edges.map((e: { node: { outcome: string; reason: string | null } }) => [e.node.outcome, e.node.reason])).toEqual([
        ['REFUSED', 'QR_EXPIRED'], ['REFUSED', 'QR_EXPIRED'], ['ALLOWED', null],
      ]);
    });

    it('is still QR_EXPIRED for an expired code that nobody scanned in time, however late', async () => {
      const code = await make();
      at(3600);
      expect(outcome(await post(`${identity.url}/graphql`, VERIFY, { payload: code.payload }, await tokenFor(OFFICIAL)))).toEqual({ code: 'BAD_USER_INPUT', reason: 'QR_EXPIRED' });
    });
  });
});
