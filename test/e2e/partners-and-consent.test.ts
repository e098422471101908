import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../subgraphs/identity/src/accounts/password-hash';
import { DEMO_ACCOUNTS, DEMO_PARTNER, seedDemoPartner } from '../../subgraphs/identity/src/database/seed';
import { VERIFY_IDENTITY_FLOOR_MS } from '../../subgraphs/identity/src/ekyc/verification.service';
import { PARTNER_TOKEN_FAILURES_PER_CLIENT } from '../../subgraphs/identity/src/partners/partner.service';
import { Role } from '../../subgraphs/shared/src';
import { aLoggedInCitizen, aPersonalIdNumber, aMobile, GOOD_PASSWORD, LOGIN, smsTo } from '../kit/builders';
import { testGatewayProof } from '../kit/gateway-proof';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

const REGISTER_PARTNER = `mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { clientId clientSecret partner { id name purpose allowedAttributes active } } }`;
const ROTATE = `mutation($id: ID!) { rotatePartnerSecret(partnerId: $id) { clientId clientSecret } }`;
const SET_ACTIVE = `mutation($id: ID!, $active: Boolean!) { setPartnerActive(partnerId: $id, active: $active) { id active } }`;
const PARTNERS = `query($first: Int, $after: String) { partners(first: $first, after: $after) { edges { node { id name purpose allowedAttributes active } } pageInfo { hasNextPage endCursor } } }`;
const ISSUE = `mutation($id: String!, $secret: String!) { issuePartnerToken(clientId: $id, clientSecret: $secret) { accessToken tokenType expiresAt partnerId } }`;
const GRANT = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id status attributes purpose expiresAt partner { id name } } }`;
const REVOKE = `mutation($id: ID!) { revokeConsent(consentId: $id) { id status revokedAt } }`;
const MY_CONSENTS = `{ me { consents(first: 20) { edges { node { id status purpose attributes partner { name } } } } } }`;
const VERIFY = `mutation($input: VerifyIdentityInput!) { verifyIdentity(input: $input) { checks { attribute result } level status consentExpiresAt } }`;
const ACCESS_LOG = `{ me { accessLog(first: 50) { edges { node { accessorName action outcome attributes purpose reason } } } } }`;

const PURPOSE = 'Mở tài khoản thanh toán';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const codes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);
const identityDb = (stack: Stack) => stack.identity.database.dataSource;
/**
 * SQL statements run by identity, where partners, consents and checks live. (Not `stack.sqlStatements()`: the
 * documents subgraph polls its outbox in the background, which would blur a count taken around one request.)
 */
const identityStatements = (stack: Stack) => stack.identity.database.queries.count;

interface RegisteredPartner { id: string; name: string; clientId: string; clientSecret: string }

async function aPartner(stack: Stack, allowedAttributes = ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH', 'GENDER', 'PHONE', 'EMAIL']): Promise<RegisteredPartner> {
  const name = `Ngân hàng Thử nghiệm ${randomBytes(3).toString('hex')}`;
  const { registerPartner } = await gql(stack.gatewayUrl, REGISTER_PARTNER, { input: { name, purpose: 'eKYC khi mở tài khoản', allowedAttributes } }, await stack.tokenFor({ role: Role.ADMINISTRATOR }));
  return { id: registerPartner.partner.id, name, clientId: registerPartner.clientId, clientSecret: registerPartner.clientSecret };
}

async function tokenOf(stack: Stack, partner: RegisteredPartner): Promise<string> {
  return (await gql(stack.gatewayUrl, ISSUE, { id: partner.clientId, secret: partner.clientSecret })).issuePartnerToken.accessToken;
}

/** A citizen raised to level 2 by SQL (activation belongs to another part of the graph). */
async function aLevel2Citizen(stack: Stack, overrides: Record<string, unknown> = {}) {
  const citizen = await aLoggedInCitizen(stack, overrides);
  await identityDb(stack).query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [citizen.accountId]);
  return citizen;
}

async function grant(stack: Stack, token: string, partner: RegisteredPartner, attributes: string[], purpose = PURPOSE, expiresAt = inDays(30)): Promise<string> {
  return (await gql(stack.gatewayUrl, GRANT, { input: { partnerId: partner.id, attributes, purpose, expiresAt } }, token)).grantConsent.id;
}

const verify = (stack: Stack, token: string, input: Record<string, unknown>, url = stack.gatewayUrl) => post(url, VERIFY, { input: { purpose: PURPOSE, ...input } }, token);

const accessLogOf = async (stack: Stack, token: string) => (await gql(stack.gatewayUrl, ACCESS_LOG, {}, token)).me.accessLog.edges.map((e: any) => e.node);

describe('partners, consent and identity checks (eKYC)', () => {
  const stack = useStack({ postalPoints: 40 });

  describe('partners, registered by an administrator', () => {
    it('are registered with a 256-bit secret shown once and stored only as a salted HMAC', async () => {
      const partner = await aPartner(stack, ['FULL_NAME', 'DATE_OF_BIRTH']);
      expect(Buffer.from(partner.clientSecret, 'base64url')).toHaveLength(32);
      expect(partner.clientId).toMatch(/^partner-[0-9a-f]{16}$/);
      const [row] = await identityDb(stack).query(`SELECT * FROM identity.partners WHERE id = $1`, [partner.id]);
      expect(row.secret_hash).toMatch(/^hmac-sha256\$/);
      expect(JSON.stringify(row)).not.toContain(partner.clientSecret);
    });

    it('are listed for citizens by their public facts (inactive ones hidden); the client id only to administrators', async () => {
      const shown = await aPartner(stack, ['FULL_NAME']);
      const hidden = await aPartner(stack, ['FULL_NAME']);
      const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR });
      await gql(stack.gatewayUrl, SET_ACTIVE, { id: hidden.id, active: false }, admin);
      const citizen = await stack.tokenFor({ role: Role.CITIZEN });

      const names = async (token: string) => {
        const all: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = (await gql(stack.gatewayUrl, PARTNERS, { first: 2, after }, token)).partners;
          all.push(...page.edges.map((e: any) => e.node.name));
          if (!page.pageInfo.hasNextPage) return all;
          after = page.pageInfo.endCursor;
        }
      };
      const seenByCitizen = await names(citizen);
      expect(seenByCitizen).toContain(shown.name);
      expect(seenByCitizen).not.toContain(hidden.name);
      expect(await names(admin)).toEqual(expect.arrayContaining([shown.name, hidden.name]));

      const clientIdAsCitizen = await post(stack.gatewayUrl, `{ partners(first: 100) { edges { node { name clientId } } } }`, {}, citizen);
      expect(codes(clientIdAsCitizen)).toContain('FORBIDDEN');
      expect((clientIdAsCitizen.data as any).partners.edges.every((e: any) => e.node.clientId === null)).toBe(true);
      const clientIdAsAdmin = await gql(stack.gatewayUrl, `{ partners(first: 100) { edges { node { name clientId } } } }`, {}, admin);
      expect(clientIdAsAdmin.partners.edges.find((e: any) => e.node.name === shown.name).node.clientId).toBe(shown.clientId);
    });

    it.each<[string, { role: Role } | null, string]>([
      ['anonymous', null, 'UNAUTHENTICATED'],
      ['a citizen', { role: Role.CITIZEN }, 'FORBIDDEN'],
      ['a partner bank', { role: Role.PARTNER_BANK }, 'FORBIDDEN'],
      ['a postal clerk', { role: Role.POSTAL_CLERK }, 'FORBIDDEN'],
    ])('are registered and managed by nobody else: %s → %s', async (_who, claims, code) => {
      const token = claims ? await stack.tokenFor({ ...claims, postalPointCode: '001-BC-0001' }) : undefined;
      const input = { name: `X ${randomUUID()}`, purpose: 'eKYC', allowedAttributes: ['FULL_NAME'] };
      expect(codes(await post(stack.gatewayUrl, REGISTER_PARTNER, { input }, token))).toEqual([code]);
      expect(codes(await post(stack.gatewayUrl, ROTATE, { id: randomUUID() }, token))).toEqual([code]);
      expect(codes(await post(stack.gatewayUrl, SET_ACTIVE, { id: randomUUID(), active: false }, token))).toEqual([code]);
    });

    it('refuses a bad registration with every problem at once, and a second partner of the same name', async () => {
      const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR });
      const bad = await post(stack.gatewayUrl, REGISTER_PARTNER, { input: { name: ' ', purpose: '', allowedAttributes: [] } }, admin);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'name' }, { field: 'purpose' }, { field: 'allowedAttributes' }] });
      const partner = await aPartner(stack);
      const again = await post(stack.gatewayUrl, REGISTER_PARTNER, { input: { name: partner.name.toUpperCase(), purpose: 'eKYC', allowedAttributes: ['FULL_NAME'] } }, admin);
      expect(codes(again)).toEqual(['CONFLICT']);
    });
  });

  describe('machine-client authentication', () => {
    it('issues a short-lived token signed like every token: role PARTNER_BANK, sub the partner, client_id', async () => {
      const partner = await aPartner(stack);
      const { issuePartnerToken } = await gql(stack.gatewayUrl, ISSUE, { id: partner.clientId, secret: partner.clientSecret });
      expect(decodeProtectedHeader(issuePartnerToken.accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
      const claims = decodeJwt(issuePartnerToken.accessToken);
      expect(claims).toMatchObject({ role: 'PARTNER_BANK', sub: partner.id, client_id: partner.clientId, level: 1, iss: 'national-identity-graph', aud: 'national-identity-graph' });
      expect(claims.exp! - claims.iat!).toBe(300);
      expect(issuePartnerToken).toMatchObject({ tokenType: 'Bearer', partnerId: partner.id });
      // Verified like any other token, by the gateway and every subgraph: documents answers it as a logged-in caller.
      const response = await post(stack.gatewayUrl, `{ publicService(code: "GPLX_EXCHANGE") { code } }`, {}, issuePartnerToken.accessToken);
      expect(response.errors).toBeUndefined();
    });

    it('answers an unknown client id, a wrong secret and a deactivated partner alike, after the same statements', async () => {
      const partner = await aPartner(stack);
      const deactivated = await aPartner(stack);
      await gql(stack.gatewayUrl, SET_ACTIVE, { id: deactivated.id, active: false }, await stack.tokenFor({ role: Role.ADMINISTRATOR }));
      const attempts: Record<string, { id: string; secret: string }> = {
        'an unknown client id': { id: `partner-${randomBytes(8).toString('hex')}`, secret: partner.clientSecret },
        'a client id that cannot exist': { id: 'Ⅹ'.repeat(300), secret: partner.clientSecret },
        'a wrong secret': { id: partner.clientId, secret: randomBytes(32).toString('base64url') },
        'a deactivated partner with its right secret': { id: deactivated.clientId, secret: deactivated.clientSecret },
      };
      const answers: Record<string, unknown> = {};
      const statements: Record<string, number> = {};
      for (const [how, variables] of Object.entries(attempts)) {
        const before = identityStatements(stack);
        const response = await post(stack.gatewayUrl, ISSUE, variables);
        statements[how] = identityStatements(stack) - before;
        answers[how] = { data: response.data, errors: response.errors };
      }
      const [first, ...rest] = Object.values(answers);
      expect((first as any).errors[0]).toMatchObject({ message: 'The client id or the client secret is not valid.', extensions: { code: 'UNAUTHENTICATED' } });
      for (const answer of rest) expect(answer).toEqual(first);
      expect(new Set(Object.values(statements)).size).toBe(1);
    });

    it('limits failures per client id and address in Redis: of 15 parallel wrong secrets 10 are checked; then even the right one waits there', async () => {
      const partner = await aPartner(stack);
      const other = await aPartner(stack);
      const wrong = await Promise.all(Array.from({ length: 15 }, () => post(stack.gatewayUrl, ISSUE, { id: partner.clientId, secret: 'guess' })));
      const counted = wrong.map((r) => codes(r)[0]);
      expect(counted.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(PARTNER_TOKEN_FAILURES_PER_CLIENT.limit);
      expect(counted.filter((c) => c === 'RATE_LIMITED')).toHaveLength(15 - PARTNER_TOKEN_FAILURES_PER_CLIENT.limit);
      const locked = await post(stack.gatewayUrl, ISSUE, { id: partner.clientId, secret: partner.clientSecret });
      expect(locked.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      const [key] = await stack.redis.keys(`${stack.keyPrefix}limit:partner-token-client-ip:*|${partner.clientId}`);
      const ttl = await stack.redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(PARTNER_TOKEN_FAILURES_PER_CLIENT.windowSeconds);
      // Counted per address too: someone who knows the bank's client id cannot lock the bank out from elsewhere.
      const body = JSON.stringify({ query: ISSUE, variables: { id: partner.clientId, secret: partner.clientSecret } });
      const fromTheBank = await fetch(`${stack.identity.url}/graphql`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-gateway-proof': await testGatewayProof('identity', body, '203.0.113.9') },
      });
      expect(((await fromTheBank.json()) as any).data.issuePartnerToken.accessToken).toEqual(expect.any(String));
      // Another client is not affected; and a right secret gives its attempt back.
      for (let i = 0; i < PARTNER_TOKEN_FAILURES_PER_CLIENT.limit + 2; i++) await tokenOf(stack, other);
    });

    it('a rotated secret replaces the old one at once', async () => {
      const partner = await aPartner(stack);
      const { rotatePartnerSecret } = await gql(stack.gatewayUrl, ROTATE, { id: partner.id }, await stack.tokenFor({ role: Role.ADMINISTRATOR }));
      expect(rotatePartnerSecret.clientId).toBe(partner.clientId);
      expect(rotatePartnerSecret.clientSecret).not.toBe(partner.clientSecret);
      expect(codes(await post(stack.gatewayUrl, ISSUE, { id: partner.clientId, secret: partner.clientSecret }))).toEqual(['UNAUTHENTICATED']);
      await tokenOf(stack, { ...partner, clientSecret: rotatePartnerSecret.clientSecret });
    });

    it('a partner token is no citizen: me is null, consents and partner management are refused', async () => {
      const partner = await aPartner(stack);
      const token = await tokenOf(stack, partner);
      expect((await gql(stack.gatewayUrl, `{ me { id } }`, {}, token)).me).toBeNull();
      const grantAsPartner = await post(stack.gatewayUrl, GRANT, { input: { partnerId: partner.id, attributes: ['FULL_NAME'], purpose: PURPOSE, expiresAt: inDays(10) } }, token);
      expect(grantAsPartner.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', action: 'consent.grant' });
      expect(codes(await post(stack.gatewayUrl, PARTNERS, {}, token))).toEqual(['FORBIDDEN']);
      expect(codes(await post(stack.gatewayUrl, ROTATE, { id: partner.id }, token))).toEqual(['FORBIDDEN']);
      expect(codes(await post(stack.gatewayUrl, REVOKE, { id: randomUUID() }, token))).toEqual(['NOT_FOUND']);
    });

    it('partners never log in with a password: login refuses a PARTNER_BANK account, and sends no code', async () => {
      const phone = `+84${aMobile().slice(1)}`;
      const username = `bank.${randomBytes(3).toString('hex')}`;
      await identityDb(stack).query(
        `INSERT INTO identity.accounts (kind, role, username, full_name, phone, password_hash, level, status) VALUES ('ORGANISATION', 'PARTNER_BANK', $1, 'Ngân hàng cũ', $2, $3, 'LEVEL_2', 'ACTIVE')`,
        [username, phone, await hashPassword(GOOD_PASSWORD)],
      );
      const response = await post(stack.gatewayUrl, LOGIN, { username, password: GOOD_PASSWORD });
      expect(response.errors?.[0]).toMatchObject({ message: expect.stringMatching(/issuePartnerToken/), extensions: { code: 'FORBIDDEN' } });
      expect(await smsTo(stack, phone)).toEqual([]);
      expect(DEMO_ACCOUNTS.map((a) => a.role)).not.toContain(Role.PARTNER_BANK);
    });

    it('the demo partner is a client seeded with the given secret (a new secret replaces the stored hash)', async () => {
      const first = randomBytes(32).toString('base64url');
      const seeded = await seedDemoPartner(identityDb(stack), first);
      expect(seeded.clientId).toBe(DEMO_PARTNER.clientId);
      await tokenOf(stack, { id: seeded.partnerId, name: DEMO_PARTNER.name, clientId: DEMO_PARTNER.clientId, clientSecret: first });
      const second = randomBytes(32).toString('base64url');
      expect((await seedDemoPartner(identityDb(stack), second)).partnerId).toBe(seeded.partnerId);
      expect(codes(await post(stack.gatewayUrl, ISSUE, { id: DEMO_PARTNER.clientId, secret: first }))).toEqual(['UNAUTHENTICATED']);
      await tokenOf(stack, { id: seeded.partnerId, name: DEMO_PARTNER.name, clientId: DEMO_PARTNER.clientId, clientSecret: second });
    });
  });

  describe('consent, the holder\'s alone', () => {
    it('is granted within the partner\'s attributes, listed, replaced by a new grant for the same purpose, and revoked', async () => {
      const partner = await aPartner(stack, ['FULL_NAME', 'DATE_OF_BIRTH']);
      const citizen = await aLoggedInCitizen(stack);
      const bad = await post(stack.gatewayUrl, GRANT, { input: { partnerId: partner.id, attributes: ['FULL_NAME', 'PHONE'], purpose: 'x', expiresAt: inDays(400) } }, citizen.token);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'attributes' }, { field: 'purpose' }, { field: 'expiresAt' }] });
      const past = await post(stack.gatewayUrl, GRANT, { input: { partnerId: partner.id, attributes: ['FULL_NAME'], purpose: PURPOSE, expiresAt: inDays(-1) } }, citizen.token);
      expect(past.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'expiresAt' }] });
      const unknown = await post(stack.gatewayUrl, GRANT, { input: { partnerId: randomUUID(), attributes: ['FULL_NAME'], purpose: PURPOSE, expiresAt: inDays(5) } }, citizen.token);
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'partnerId' }] });

      const first = await grant(stack, citizen.token, partner, ['FULL_NAME']);
      // The same purpose written otherwise is the same purpose: the new grant replaces the first.
      const second = await grant(stack, citizen.token, partner, ['FULL_NAME', 'DATE_OF_BIRTH'], '  mở TÀI KHOẢN thanh toán ');
      const listed = async () => (await gql(stack.gatewayUrl, MY_CONSENTS, {}, citizen.token)).me.consents.edges.map((e: any) => e.node);
      expect(await listed()).toEqual([
        { id: second, status: 'ACTIVE', purpose: 'mở TÀI KHOẢN thanh toán', attributes: ['FULL_NAME', 'DATE_OF_BIRTH'], partner: { name: partner.name } },
        { id: first, status: 'REPLACED', purpose: PURPOSE, attributes: ['FULL_NAME'], partner: { name: partner.name } },
      ]);
      const { revokeConsent } = await gql(stack.gatewayUrl, REVOKE, { id: second }, citizen.token);
      expect(revokeConsent).toMatchObject({ id: second, status: 'REVOKED', revokedAt: expect.any(String) });
      expect((await listed())[0].status).toBe('REVOKED');
    });

    it('someone else\'s consent id is NOT_FOUND, exactly like an unknown one', async () => {
      const partner = await aPartner(stack);
      const holder = await aLoggedInCitizen(stack);
      const stranger = await aLoggedInCitizen(stack);
      const consentId = await grant(stack, holder.token, partner, ['FULL_NAME']);
      const theirs = await post(stack.gatewayUrl, REVOKE, { id: consentId }, stranger.token);
      const unknown = await post(stack.gatewayUrl, REVOKE, { id: randomUUID() }, stranger.token);
      expect(theirs).toEqual(unknown);
      expect(codes(theirs)).toEqual(['NOT_FOUND']);
      expect((await gql(stack.gatewayUrl, MY_CONSENTS, {}, holder.token)).me.consents.edges[0].node.status).toBe('ACTIVE');
      expect((await gql(stack.gatewayUrl, MY_CONSENTS, {}, stranger.token)).me.consents.edges).toEqual([]);
    });
  });

  describe('verifyIdentity', () => {
    it.each<[string, Record<string, unknown>, { attribute: string; result: string }[]]>([
      ['the name as registered', { fullName: 'Nguyễn Văn Đạt' }, [{ attribute: 'FULL_NAME', result: 'EXACT' }]],
      ['the name in capitals', { fullName: 'NGUYỄN VĂN ĐẠT' }, [{ attribute: 'FULL_NAME', result: 'NORMALISED' }]],
      ['the name without diacritics, Đ as D, extra spaces', { fullName: 'Nguyen  Van Dat' }, [{ attribute: 'FULL_NAME', result: 'NORMALISED' }]],
      ['another name', { fullName: 'Nguyễn Văn Đạo' }, [{ attribute: 'FULL_NAME', result: 'NO_MATCH' }]],
      ['date of birth and gender, exact', { dateOfBirth: '1991-02-03', gender: 'MALE' }, [{ attribute: 'DATE_OF_BIRTH', result: 'EXACT' }, { attribute: 'GENDER', result: 'EXACT' }]],
      ['date of birth a day off, another gender', { dateOfBirth: '1991-02-04', gender: 'FEMALE' }, [{ attribute: 'DATE_OF_BIRTH', result: 'NO_MATCH' }, { attribute: 'GENDER', result: 'NO_MATCH' }]],
      ['e-mail in capitals', { email: 'DAT@EXAMPLE.VN' }, [{ attribute: 'EMAIL', result: 'NORMALISED' }]],
    ])('answers field by field through the gateway: %s', async (_case, claims, checks) => {
      const partner = await aPartner(stack);
      const citizen = await aLevel2Citizen(stack, { fullName: 'Nguyễn Văn Đạt', dateOfBirth: '1991-02-03', gender: 'MALE', personalIdNumber: aPersonalIdNumber(1991, 'MALE'), email: 'dat@example.vn' });
      await grant(stack, citizen.token, partner, ['FULL_NAME', 'DATE_OF_BIRTH', 'GENDER', 'EMAIL']);
      const response = await verify(stack, await tokenOf(stack, partner), { personalIdNumber: citizen.input.personalIdNumber, ...claims });
      expect(response.errors).toBeUndefined();
      expect((response.data as any).verifyIdentity).toEqual({ checks, level: 'LEVEL_2', status: 'ACTIVE', consentExpiresAt: expect.any(String) });
    });

    it('never widens the consent: what it does not name is NOT_CHECKED, and no registry value is ever in the answer', async () => {
      const partner = await aPartner(stack);
      const citizen = await aLevel2Citizen(stack);
      await grant(stack, citizen.token, partner, ['FULL_NAME']);
      const response = await verify(stack, await tokenOf(stack, partner), {
        personalIdNumber: citizen.input.personalIdNumber, fullName: 'nguyen thi lan', dateOfBirth: '2000-01-01', gender: 'FEMALE', phone: citizen.input.phone, email: 'lan@example.vn',
      });
      expect((response.data as any).verifyIdentity.checks).toEqual([
        { attribute: 'FULL_NAME', result: 'NORMALISED' },
        { attribute: 'DATE_OF_BIRTH', result: 'NOT_CHECKED' },
        { attribute: 'GENDER', result: 'NOT_CHECKED' },
        { attribute: 'PHONE', result: 'NOT_CHECKED' },
        { attribute: 'EMAIL', result: 'NOT_CHECKED' },
      ]);
      expect(JSON.stringify(response)).not.toMatch(/1990-04-12|Nguyễn Thị Lan|\+84/);
      const [entry] = await accessLogOf(stack, citizen.token);
      expect(entry).toEqual({ accessorName: partner.name, action: 'VERIFY_IDENTITY', outcome: 'ALLOWED', attributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME'], purpose: PURPOSE, reason: null });
    });

    /**
     * Seven ways to be refused; the partner must not tell them apart: the same error object (code, message,
     * extensions, path), the same SQL statements as an allowed check, and no answer before the floor.
     */
    it('refuses with one answer that reveals nothing: no account, no consent, another purpose, expired, revoked, level 1, inactive partner', async () => {
      const partner = await aPartner(stack);
      const token = await tokenOf(stack, partner);
      const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR });

      const allowed = await aLevel2Citizen(stack);
      await grant(stack, allowed.token, partner, ['FULL_NAME']);
      const noConsent = await aLevel2Citizen(stack);
      const otherPurpose = await aLevel2Citizen(stack);
      await grant(stack, otherPurpose.token, partner, ['FULL_NAME'], 'Vay tiêu dùng');
      const expired = await aLevel2Citizen(stack);
      const expiredId = await grant(stack, expired.token, partner, ['FULL_NAME']);
      await identityDb(stack).query(`UPDATE identity.consents SET granted_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1`, [expiredId]);
      const revoked = await aLevel2Citizen(stack);
      await gql(stack.gatewayUrl, REVOKE, { id: await grant(stack, revoked.token, partner, ['FULL_NAME']) }, revoked.token);
      const levelOne = await aLoggedInCitizen(stack);
      await grant(stack, levelOne.token, partner, ['FULL_NAME']);
      const inactivePartner = await aPartner(stack);
      const inactiveToken = await tokenOf(stack, inactivePartner);
      const ofInactive = await aLevel2Citizen(stack);
      await grant(stack, ofInactive.token, inactivePartner, ['FULL_NAME']);
      await gql(stack.gatewayUrl, SET_ACTIVE, { id: inactivePartner.id, active: false }, admin);

      const cases: [string, string, string, string | null][] = [
        ['no account', token, aPersonalIdNumber(1990, 'FEMALE'), null],
        ['no consent', token, noConsent.input.personalIdNumber as string, 'NO_CONSENT'],
        ['a consent for another purpose', token, otherPurpose.input.personalIdNumber as string, 'PURPOSE_NOT_CONSENTED'],
        ['an expired consent', token, expired.input.personalIdNumber as string, 'CONSENT_EXPIRED'],
        ['a revoked consent', token, revoked.input.personalIdNumber as string, 'CONSENT_REVOKED'],
        ['a level-1 account', token, levelOne.input.personalIdNumber as string, 'ACCOUNT_NOT_LEVEL_2'],
        ['an inactive partner', inactiveToken, ofInactive.input.personalIdNumber as string, 'PARTNER_INACTIVE'],
      ];
      const measure = async (partnerToken: string, personalIdNumber: string) => {
        const before = identityStatements(stack);
        const started = performance.now();
        const response = await verify(stack, partnerToken, { personalIdNumber, fullName: 'Nguyễn Thị Lan' });
        return { response, ms: performance.now() - started, statements: identityStatements(stack) - before };
      };

      const reference = await measure(token, allowed.input.personalIdNumber as string);
      expect(reference.response.errors).toBeUndefined();
      expect(reference.ms).toBeGreaterThanOrEqual(VERIFY_IDENTITY_FLOOR_MS - 5);
      const refusals = [];
      for (const [name, partnerToken, personalIdNumber] of cases) refusals.push({ name, ...(await measure(partnerToken, personalIdNumber)) });

      const [first] = refusals;
      expect(first.response.errors?.[0]).toMatchObject({
        message: 'This identity cannot be checked: there is no level-2 account with a valid consent for this partner and purpose.',
        extensions: { code: 'FORBIDDEN', reason: 'IDENTITY_CHECK_REFUSED' },
      });
      for (const refusal of refusals) {
        // The whole answer, not just its code: status, data, message, path, locations, extensions.
        expect({ name: refusal.name, response: refusal.response }).toEqual({ name: refusal.name, response: first.response });
        expect({ name: refusal.name, statements: refusal.statements }).toEqual({ name: refusal.name, statements: reference.statements });
        expect(refusal.ms).toBeGreaterThanOrEqual(VERIFY_IDENTITY_FLOOR_MS - 5);
      }

      // Each existing person reads the refused check, and why, in their access log.
      for (const [name, , , reason] of cases.slice(1)) {
        const person = { 'no consent': noConsent, 'a consent for another purpose': otherPurpose, 'an expired consent': expired, 'a revoked consent': revoked, 'a level-1 account': levelOne, 'an inactive partner': ofInactive }[name]!;
        const [entry] = await accessLogOf(stack, person.token);
        expect({ name, entry }).toEqual({
          name,
          entry: {
            accessorName: name === 'an inactive partner' ? inactivePartner.name : partner.name,
            action: 'VERIFY_IDENTITY', outcome: 'REFUSED', attributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME'], purpose: PURPOSE, reason,
          },
        });
      }
      expect(await identityDb(stack).query(`SELECT count(*)::int AS n FROM identity.access_log WHERE accessor_id = $1 AND outcome = 'REFUSED'`, [partner.id]))
        .toEqual([{ n: 5 }]);
    });

    it('a partner without the holder\'s consent is refused even when another partner has it', async () => {
      const consented = await aPartner(stack);
      const other = await aPartner(stack);
      const citizen = await aLevel2Citizen(stack);
      await grant(stack, citizen.token, consented, ['FULL_NAME']);
      expect(codes(await verify(stack, await tokenOf(stack, other), { personalIdNumber: citizen.input.personalIdNumber, fullName: 'Nguyễn Thị Lan' }))).toEqual(['FORBIDDEN']);
      expect((await verify(stack, await tokenOf(stack, consented), { personalIdNumber: citizen.input.personalIdNumber, fullName: 'Nguyễn Thị Lan' })).errors).toBeUndefined();
    });

    it('stops the moment the holder revokes; the holder reads both checks, nobody else reads any', async () => {
      const partner = await aPartner(stack);
      const token = await tokenOf(stack, partner);
      const citizen = await aLevel2Citizen(stack);
      const consentId = await grant(stack, citizen.token, partner, ['FULL_NAME', 'DATE_OF_BIRTH']);
      const claim = { personalIdNumber: citizen.input.personalIdNumber, fullName: 'Nguyễn Thị Lan', dateOfBirth: '1990-04-12' };
      expect((await verify(stack, token, claim)).errors).toBeUndefined();
      await gql(stack.gatewayUrl, REVOKE, { id: consentId }, citizen.token);
      expect(codes(await verify(stack, token, claim))).toEqual(['FORBIDDEN']);

      expect(await accessLogOf(stack, citizen.token)).toEqual([
        { accessorName: partner.name, action: 'VERIFY_IDENTITY', outcome: 'REFUSED', attributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH'], purpose: PURPOSE, reason: 'CONSENT_REVOKED' },
        { accessorName: partner.name, action: 'VERIFY_IDENTITY', outcome: 'ALLOWED', attributes: ['PERSONAL_ID_NUMBER', 'FULL_NAME', 'DATE_OF_BIRTH'], purpose: PURPOSE, reason: null },
      ]);
      const stranger = await aLoggedInCitizen(stack);
      expect(await accessLogOf(stack, stranger.token)).toEqual([]);
      expect((await gql(stack.gatewayUrl, ACCESS_LOG, {}, token)).me).toBeNull();
    });

    it('counts each partner\'s checks per minute in Redis before looking anything up: of 65 parallel checks, 60 are looked up', async () => {
      const partner = await aPartner(stack);
      const token = await tokenOf(stack, partner);
      const before = identityStatements(stack);
      const responses = await Promise.all(Array.from({ length: 65 }, () => verify(stack, token, { personalIdNumber: aPersonalIdNumber(), fullName: 'Nguyễn Thị Lan' })));
      const statements = identityStatements(stack) - before;
      const byCode = responses.map((r) => codes(r)[0]);
      expect(byCode.filter((c) => c === 'FORBIDDEN')).toHaveLength(60);
      expect(byCode.filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
      // Each check that was looked up cost the same statements; the five over the limit cost none.
      const perCheck = await (async () => {
        const other = await tokenOf(stack, await aPartner(stack));
        const start = identityStatements(stack);
        await verify(stack, other, { personalIdNumber: aPersonalIdNumber(), fullName: 'x' });
        return identityStatements(stack) - start;
      })();
      expect(statements).toBe(60 * perCheck);
      const ttl = await stack.redis.ttl(`${stack.keyPrefix}limit:partner-checks:${partner.id}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
      // Another partner still has its own minute.
      expect(codes(await verify(stack, await tokenOf(stack, await aPartner(stack)), { personalIdNumber: aPersonalIdNumber() }))).toEqual(['FORBIDDEN']);
    });

    it('is for partner tokens only, and refuses bad input before it looks anything up', async () => {
      const citizen = await aLevel2Citizen(stack);
      const input = { personalIdNumber: citizen.input.personalIdNumber };
      expect(codes(await verify(stack, citizen.token, input))).toEqual(['FORBIDDEN']);
      expect(codes(await verify(stack, await stack.tokenFor({ role: Role.ADMINISTRATOR }), input))).toEqual(['FORBIDDEN']);
      expect(codes(await post(stack.gatewayUrl, VERIFY, { input: { ...input, purpose: PURPOSE } }))).toEqual(['UNAUTHENTICATED']);
      const token = await tokenOf(stack, await aPartner(stack));
      const bad = await verify(stack, token, { personalIdNumber: '12345', purpose: '', fullName: '  ' });
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'personalIdNumber' }, { field: 'purpose' }, { field: 'fullName' }] });
    });
  });

  describe('a direct subgraph call answers like the gateway', () => {
    it.each<[string, (ctx: { partnerToken: string; citizenToken: string; pin: string; partner: RegisteredPartner }) => [string, Record<string, unknown>, string | undefined]]>([
      ['issuePartnerToken with a wrong secret', ({ partner }) => [ISSUE, { id: partner.clientId, secret: 'wrong' }, undefined]],
      ['verifyIdentity, allowed', ({ partnerToken, pin }) => [VERIFY, { input: { personalIdNumber: pin, fullName: 'NGUYEN THI LAN', purpose: PURPOSE } }, partnerToken]],
      ['verifyIdentity, refused', ({ partnerToken }) => [VERIFY, { input: { personalIdNumber: aPersonalIdNumber(), fullName: 'x', purpose: PURPOSE } }, partnerToken]],
      ['verifyIdentity by a citizen', ({ citizenToken, pin }) => [VERIFY, { input: { personalIdNumber: pin, purpose: PURPOSE } }, citizenToken]],
      ['grantConsent by a partner', ({ partnerToken, partner }) => [GRANT, { input: { partnerId: partner.id, attributes: ['FULL_NAME'], purpose: PURPOSE, expiresAt: inDays(3) } }, partnerToken]],
      ['partners for a citizen', ({ citizenToken }) => [PARTNERS, { first: 1 }, citizenToken]],
      ['me with consents for a partner', ({ partnerToken }) => [MY_CONSENTS, {}, partnerToken]],
      ['revokeConsent of an unknown id', ({ citizenToken }) => [REVOKE, { id: randomUUID() }, citizenToken]],
    ])('%s', async (_name, make) => {
      const partner = await aPartner(stack);
      const citizen = await aLevel2Citizen(stack);
      await grant(stack, citizen.token, partner, ['FULL_NAME']);
      const [query, variables, token] = make({ partnerToken: await tokenOf(stack, partner), citizenToken: citizen.token, pin: citizen.input.personalIdNumber as string, partner });
      const direct = await post(`${stack.identity.url}/graphql`, query, variables, token);
      const viaGateway = await post(stack.gatewayUrl, query, variables, token);
      const shape = (r: GraphQLResponse<Record<string, unknown>>) => ({
        errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code, reason: e.extensions?.reason ?? null })),
        data: r.data ? JSON.parse(JSON.stringify(r.data, (key, value) => (['expiresAt', 'consentExpiresAt', 'id', 'endCursor', 'accessToken', 'partnerId'].includes(key) ? typeof value : value))) : r.data,
      });
      expect(shape(direct)).toEqual(shape(viaGateway));
    });
  });
});
