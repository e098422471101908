import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { ACR_LEVEL_1, ACR_LEVEL_2 } from '../../subgraphs/shared/src/auth/assurance';
import { Role } from '../../subgraphs/shared/src/auth/roles';
import { loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { startIdentity } from '../../subgraphs/identity/src/index';
import type { PostalPointDirectory } from '../../subgraphs/identity/src/postal-points/postal-point.directory';
import { generateSigningKeyPem, loadSigningKey } from '../../subgraphs/identity/src/sessions/signing-key';
import { freePort } from '../../scripts/lib/local-services';
import { OidcStore } from '../../subgraphs/identity/src/sso/oidc-store';
import { createLogger } from '../../subgraphs/shared/src/logger';
import { aConfirmedCitizen, aRegistration, CONFIRM, lastOtp, LOGIN, REGISTER, smsTo } from '../kit/builders';
import { signTestToken } from '../kit/tokens';
import { gql, post } from '../kit/gql';
import { subgraphTestEnv, useStack, type Stack } from '../kit/stack';
import { Agent, aRelyingParty, clientOf, formAction, GRAPH_AUDIENCE, hiddenField, REGISTER_RELYING_PARTY, startFlow, type Hop, type TestRelyingParty } from '../kit/sso';

const smsCount = async (stack: Stack, phone: string) => (await smsTo(stack, phone)).length;

const ME = '{ me { id fullName level } }';

async function raiseToLevel2(stack: Stack, accountId: string): Promise<void> {
  await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [accountId]);
}

/** Username and password, then the code from the development outbox; returns the hop after the code. */
async function signIn(stack: Stack, agent: Agent, start: URL, rp: TestRelyingParty, person: { input: Record<string, unknown> }): Promise<Hop> {
  const login = await agent.get(start, rp.redirectUri);
  expect(login.status, `${login.url}\n${login.body}`).toBe(200);
  expect(login.body).toContain('name="username"');
  const otpPage = await agent.post(new URL(formAction(login.body, 'login'), login.url).toString(), {
    csrf: hiddenField(login.body, 'csrf'), username: String(person.input.personalIdNumber), password: String(person.input.password),
  }, rp.redirectUri);
  expect(otpPage.body).toContain('name="code"');
  return agent.post(new URL(formAction(otpPage.body, 'otp'), otpPage.url).toString(), {
    csrf: hiddenField(otpPage.body, 'csrf'), code: await lastOtp(stack, String(person.input.phone)),
  }, rp.redirectUri);
}

/** Signs in and consents; returns the URL the relying party is called back at. */
async function signInAndConsent(stack: Stack, agent: Agent, start: URL, rp: TestRelyingParty, person: { input: Record<string, unknown> }): Promise<URL> {
  const consent = await signIn(stack, agent, start, rp, person);
  expect(consent.body, consent.body).toContain('/consent');
  const back = await agent.post(new URL(formAction(consent.body, 'consent'), consent.url).toString(), { csrf: hiddenField(consent.body, 'csrf') }, rp.redirectUri);
  expect(back.url.startsWith(rp.redirectUri), back.body).toBe(true);
  return new URL(back.url);
}

describe('single sign-on: the OpenID Connect provider', () => {
  const stack = useStack({ postalPoints: 50 });

  it('publishes discovery: code flow with PKCE S256 only, the graph\'s keys, the two levels, claims by scope', async () => {
    const response = await fetch(`${stack.identity.url}/oidc/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, any>;
    expect(discovery).toMatchObject({
      issuer: `${stack.identity.url}/oidc`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
      acr_values_supported: [ACR_LEVEL_1, ACR_LEVEL_2], id_token_signing_alg_values_supported: ['ES256'],
    });
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'phone', 'email', 'offline_access']));
    expect(discovery.end_session_endpoint).toBeTruthy();
    const jwks = await (await fetch(discovery.jwks_uri)).json();
    const graphJwks = await (await fetch(`${stack.identity.url}/.well-known/jwks.json`)).json();
    expect(jwks).toEqual(graphJwks);
  });

  it('signs a citizen in: code → tokens; userinfo by scope; the access token queries `me` through the gateway', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url, checks } = await startFlow(config, rp);
    const callback = await signInAndConsent(stack, new Agent(), url, rp, person);
    const tokens = await oidc.authorizationCodeGrant(config, callback, checks, { resource: GRAPH_AUDIENCE });
    expect(tokens.claims()).toMatchObject({ sub: person.accountId, acr: ACR_LEVEL_1 });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: GRAPH_AUDIENCE, sub: person.accountId, acr: ACR_LEVEL_1, client_id: rp.clientId, scope: 'graph' });
    const { me } = await gql(stack.gatewayUrl, ME, {}, tokens.access_token);
    expect(me).toEqual({ id: person.accountId, fullName: person.input.fullName, level: 'LEVEL_1' });
    // The token is good in every subgraph: documents (the citizen's dossiers) and payments (what they paid) answer too.
    const across = await gql(stack.gatewayUrl, '{ me { dossiers { edges { node { id } } } payments { edges { node { id } } } documents { edges { node { id } } } } }', {}, tokens.access_token);
    expect(across.me).toEqual({ dossiers: { edges: [] }, payments: { edges: [] }, documents: { edges: [] } });

    // Userinfo takes a token for the provider (no resource): refreshing without `resource` gives one.
    const forUserinfo = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const claims = await oidc.fetchUserInfo(config, forUserinfo.access_token, person.accountId);
    expect(claims).toMatchObject({
      sub: person.accountId, name: person.input.fullName, birthdate: person.input.dateOfBirth, gender: 'female',
      phone_number: expect.stringMatching(/^\+84/), phone_number_verified: true, email: person.input.email,
    });
  });

  it('refuses an authorization request without PKCE, back at the relying party', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid', state: 's1' });
    const hop = await new Agent().get(url, rp.redirectUri);
    const back = new URL(hop.url);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
    // A plain challenge is no better than none.
    const plain = oidc.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
    expect(new URL((await new Agent().get(plain, rp.redirectUri)).url).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a redirect URI that is not registered, on its own page, sending nobody anywhere', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const { url } = await startFlow(config, { ...rp, redirectUri: 'http://127.0.0.1:5999/callback/../evil' });
    const hop = await new Agent().get(url, 'http://127.0.0.1:5999/');
    expect(hop.status).toBe(400);
    expect(hop.url.startsWith(stack.identity.url)).toBe(true);
    expect(hop.body).toContain('redirect_uri');
    expect(hop.body).toContain('<html lang="vi">');
  });

  it('refuses a code used twice, and then the tokens it gave', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url, checks } = await startFlow(config, rp);
    const callback = await signInAndConsent(stack, new Agent(), url, rp, person);
    const tokens = await oidc.authorizationCodeGrant(config, callback, checks, { resource: GRAPH_AUDIENCE });
    await expect(oidc.authorizationCodeGrant(config, callback, checks, { resource: GRAPH_AUDIENCE })).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens; a used one presented again is refused and ends the grant', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url, checks } = await startFlow(config, rp);
    const tokens = await oidc.authorizationCodeGrant(config, await signInAndConsent(stack, new Agent(), url, rp, person), checks);
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: GRAPH_AUDIENCE });
    expect(first.refresh_token).toBeTruthy();
    expect(first.refresh_token).not.toBe(tokens.refresh_token);
    expect((await gql(stack.gatewayUrl, ME, {}, first.access_token)).me.id).toBe(person.accountId);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Reuse detected: the newer token of the same grant is refused too.
    await expect(oidc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('releases claims by scope: phone alone gives the phone, not the name nor the e-mail', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url, checks } = await startFlow(config, rp, { scope: 'openid phone', resource: '' });
    const tokens = await oidc.authorizationCodeGrant(config, await signInAndConsent(stack, new Agent(), url, rp, person), checks);
    const claims = await oidc.fetchUserInfo(config, tokens.access_token, person.accountId);
    expect(Object.keys(claims).sort()).toEqual(['phone_number', 'phone_number_verified', 'sub']);
  });

  it('refuses a level-1 account to a relying party that asks for level 2, saying where to get verified', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url } = await startFlow(config, rp, { acr_values: ACR_LEVEL_2 });
    const agent = new Agent();
    const refused = await signIn(stack, agent, url, rp, person);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('mức độ 2');
    const point = String(person.input.verificationPostalPointCode);
    expect(refused.body).toContain(point);
    const [{ name }] = await stack.payments.database.dataSource.query(`SELECT name FROM payments.postal_points WHERE code = $1`, [point]);
    expect(refused.body).toContain(name);
    // Its button goes back to the relying party with the standard error.
    const back = await agent.post(new URL(formAction(refused.body, 'abort'), refused.url).toString(), { csrf: hiddenField(refused.body, 'csrf') }, rp.redirectUri);
    expect(new URL(back.url).searchParams.get('error')).toBe('unmet_authentication_requirements');
  });

  it('signs a level-2 account in at level 2 when asked: acr in the ID token and in the graph\'s token', async () => {
    const rp = await aRelyingParty(stack, { allowedLevels: [2] });
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    await raiseToLevel2(stack, person.accountId);
    const { url, checks } = await startFlow(config, rp, { acr_values: ACR_LEVEL_2 });
    const tokens = await oidc.authorizationCodeGrant(config, await signInAndConsent(stack, new Agent(), url, rp, person), checks, { resource: GRAPH_AUDIENCE });
    expect(tokens.claims()?.acr).toBe(ACR_LEVEL_2);
    expect((await gql(stack.gatewayUrl, ME, {}, tokens.access_token)).me.level).toBe('LEVEL_2');
  });

  it('refuses a level-1 account to a relying party registered for level 2 only, even without acr_values', async () => {
    const rp = await aRelyingParty(stack, { allowedLevels: [2] });
    const person = await aConfirmedCitizen(stack);
    const { url } = await startFlow(await clientOf(stack, rp), rp);
    expect((await signIn(stack, new Agent(), url, rp, person)).status).toBe(403);
  });

  it('logs out (RP-initiated): back to the registered address, and the sign-in session and its refresh token end', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const agent = new Agent();
    const { url, checks } = await startFlow(config, rp);
    const tokens = await oidc.authorizationCodeGrant(config, await signInAndConsent(stack, agent, url, rp, person), checks);
    const logout = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: rp.postLogoutRedirectUri, state: 'bye' });
    const confirm = await agent.get(logout, rp.postLogoutRedirectUri);
    expect(confirm.status).toBe(200);
    const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(confirm.body);
    expect(action, confirm.body).toBeTruthy();
    const back = await agent.post(new URL(action![1] ?? action![2], confirm.url).toString(), { xsrf: hiddenField(confirm.body, 'xsrf'), logout: 'yes' }, rp.postLogoutRedirectUri);
    expect(back.url).toBe(`${rp.postLogoutRedirectUri}?state=bye`);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The browser is signed out: the next sign-in asks for the password again.
    const again = await startFlow(config, rp);
    expect((await agent.get(again.url, rp.redirectUri)).body).toContain('name="password"');
  });
});

describe('single sign-on: relying parties, the pages\' defences and the graph\'s verifier', () => {
  const stack = useStack({ postalPoints: 50 });

  it('registers relying parties only for level-2 administrators; the secret is shown once and stored hashed', async () => {
    const citizen = await stack.tokenFor({ role: Role.CITIZEN, level: 2 });
    const input = { name: 'Cổng bị từ chối', redirectUris: ['https://portal.example.vn/cb'], allowedScopes: ['openid'] };
    expect((await post(stack.gatewayUrl, REGISTER_RELYING_PARTY, { input }, citizen)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const level1Admin = await stack.tokenFor({ role: Role.ADMINISTRATOR, level: 1 });
    expect((await post(stack.gatewayUrl, REGISTER_RELYING_PARTY, { input }, level1Admin)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await post(stack.gatewayUrl, REGISTER_RELYING_PARTY, { input: { ...input, redirectUris: ['http://portal.example.vn/cb#x'], allowedScopes: ['profile', 'root'] } }, await stack.tokenFor({ role: Role.ADMINISTRATOR, level: 2 }));
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((bad.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field).sort()).toEqual(['allowedScopes', 'allowedScopes', 'redirectUris']);

    const rp = await aRelyingParty(stack);
    expect(rp.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rp.discoveryUrl).toBe(`${stack.identity.url}/oidc/.well-known/openid-configuration`);
    const [row] = await stack.identity.database.dataSource.query(`SELECT secret_hash FROM identity.relying_parties WHERE client_id = $1`, [rp.clientId]);
    expect(row.secret_hash).toMatch(/^hmac-sha256\$/);
    expect(row.secret_hash).not.toContain(rp.clientSecret);
    const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR, level: 2 });
    const { relyingParties } = await gql(stack.gatewayUrl, '{ relyingParties(first: 100) { edges { node { clientId confidential active } } } }', {}, admin);
    expect(relyingParties.edges.map((e: { node: { clientId: string } }) => e.node.clientId)).toContain(rp.clientId);

    // A wrong secret is refused at the token endpoint; a public client (no secret) must still use PKCE.
    const tokenEndpoint = (await clientOf(stack, rp)).serverMetadata().token_endpoint!;
    const attempt = (secret: string) => fetch(tokenEndpoint, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'whatever' }),
      headers: { authorization: `Basic ${Buffer.from(`${rp.clientId}:${secret}`).toString('base64')}` },
    });
    const wrong = await attempt('not-the-secret');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    // The right secret authenticates (the refresh token itself is then what is wrong).
    expect(await (await attempt(rp.clientSecret!)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a deactivated relying party signs nobody in', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR, level: 2 });
    await gql(stack.gatewayUrl, 'mutation($id: ID!) { setRelyingPartyActive(relyingPartyId: $id, active: false) { active } }', { id: rp.id }, admin);
    const { url } = await startFlow(config, rp);
    const hop = await new Agent().get(url, rp.redirectUri);
    expect(hop.status).toBe(400);
    expect(hop.body).toMatch(/client/i);
  });

  it('shares the lockout with the graph\'s login: five wrong passwords on the page, then the graph refuses the right one', async () => {
    const rp = await aRelyingParty(stack);
    const person = await aConfirmedCitizen(stack);
    const { url } = await startFlow(await clientOf(stack, rp), rp);
    const agent = new Agent();
    let page = await agent.get(url, rp.redirectUri);
    for (let i = 0; i < 5; i++) {
      page = await agent.post(new URL(formAction(page.body, 'login'), page.url).toString(), {
        csrf: hiddenField(page.body, 'csrf'), username: String(person.input.personalIdNumber), password: 'Wrong-password-1!',
      }, rp.redirectUri);
      expect(page.status).toBe(401);
      expect(page.body).toContain('role="alert"');
    }
    const locked = await agent.post(new URL(formAction(page.body, 'login'), page.url).toString(), {
      csrf: hiddenField(page.body, 'csrf'), username: String(person.input.personalIdNumber), password: String(person.input.password),
    }, rp.redirectUri);
    expect(locked.status).toBe(429);
    const graph = await post(stack.gatewayUrl, LOGIN, { username: person.input.personalIdNumber, password: person.input.password });
    expect(graph.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(await stack.redis.exists(`${stack.keyPrefix}limit:login-username:${person.input.personalIdNumber}`)).toBe(1);
  });

  it('refuses a form without the interaction\'s token, and a form from another browser', async () => {
    const rp = await aRelyingParty(stack);
    const person = await aConfirmedCitizen(stack);
    const { url } = await startFlow(await clientOf(stack, rp), rp);
    const agent = new Agent();
    const page = await agent.get(url, rp.redirectUri);
    const action = new URL(formAction(page.body, 'login'), page.url).toString();
    const fields = { username: String(person.input.personalIdNumber), password: String(person.input.password) };
    expect((await agent.post(action, { ...fields, csrf: 'forged' }, rp.redirectUri)).status).toBe(403);
    // Another browser (no interaction cookie) with the right token is refused too.
    expect((await new Agent().post(action, { ...fields, csrf: hiddenField(page.body, 'csrf') }, rp.redirectUri)).status).toBe(400);
    expect(await smsCount(stack, String(person.input.phone))).toBe(1);
  });

  it('speaks English when asked, Vietnamese otherwise', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const vi = await new Agent().get((await startFlow(config, rp)).url, rp.redirectUri);
    expect(vi.body).toContain('<html lang="vi">');
    expect(vi.body).toContain('Mật khẩu');
    const en = await new Agent().get((await startFlow(config, rp, { ui_locales: 'en' })).url, rp.redirectUri);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('<label for="password">Password</label>');
  });

  it('keeps sessions, grants and refresh tokens in PostgreSQL', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url, checks } = await startFlow(config, rp);
    await oidc.authorizationCodeGrant(config, await signInAndConsent(stack, new Agent(), url, rp, person), checks);
    const models = await stack.identity.database.dataSource.query(`SELECT DISTINCT model FROM identity.oidc_artifacts WHERE payload->>'accountId' = $1 ORDER BY model`, [person.accountId]);
    expect(models.map((m: { model: string }) => m.model)).toEqual(expect.arrayContaining(['Grant', 'RefreshToken', 'Session']));
  });

  it('sweeps expired artefacts; an expired one already reads as absent', async () => {
    const store = new OidcStore(stack.identity.database.dataSource, createLogger({ service: 'test', level: 'silent' }));
    await store.upsert('Session', 'expired-one', { accountId: 'x' }, 1);
    await store.upsert('Session', 'live-one', { accountId: 'x' }, 3600);
    await stack.identity.database.dataSource.query(`UPDATE identity.oidc_artifacts SET expires_at = now() - interval '1 second' WHERE id = 'expired-one'`);
    expect(await store.findBy('Session', 'id', 'expired-one')).toBeUndefined();
    expect(await store.sweep()).toBeGreaterThanOrEqual(1);
    const left = await stack.identity.database.dataSource.query(`SELECT id FROM identity.oidc_artifacts WHERE id IN ('expired-one', 'live-one')`);
    expect(left).toEqual([{ id: 'live-one' }]);
  });

  it('the graph refuses a relying party\'s token that was not granted the graph scope', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url, checks } = await startFlow(config, rp, { scope: 'openid profile' });
    const tokens = await oidc.authorizationCodeGrant(config, await signInAndConsent(stack, new Agent(), url, rp, person), checks, { resource: GRAPH_AUDIENCE });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: GRAPH_AUDIENCE });
    expect(decodeJwt(tokens.access_token).scope).toBeUndefined();
    const refused = await post(stack.gatewayUrl, ME, {}, tokens.access_token);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INSUFFICIENT_SCOPE' });
  });

  it('a relying party registered without the graph scope cannot ask for the graph at all', async () => {
    const rp = await aRelyingParty(stack, { allowedScopes: ['openid', 'profile'] });
    const { url } = await startFlow(await clientOf(stack, rp), rp, { scope: 'openid profile' });
    expect(new URL((await new Agent().get(url, rp.redirectUri)).url).searchParams.get('error')).toBe('invalid_target');
  });
});

describe('single sign-on across a restart of identity', () => {
  it('keeps the browser\'s sign-in session and the relying party\'s grant: a new code without signing in again, and the refresh token still works', async () => {
    const port = await freePort();
    const pem = await generateSigningKeyPem();
    const key = await loadSigningKey(pem);
    const env = {
      ...(await subgraphTestEnv(`sso-restart:${Date.now()}:`, { jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, issuer: 'national-identity-graph' })),
      IDENTITY_PORT: String(port), JWT_PRIVATE_KEY: pem, OTP_HMAC_SECRET: 'a-test-otp-secret-of-at-least-32-characters',
      OIDC_ISSUER: `http://127.0.0.1:${port}/oidc`, OIDC_COOKIE_KEYS: 'a-test-cookie-key-of-at-least-32-characters', GRAPH_AUDIENCE,
    };
    const open: PostalPointDirectory = { find: async (code) => ({ code, name: 'Bưu cục thử', isOpen: true }) };
    let identity = await startIdentity(loadIdentityConfig(env), { postalPoints: open });
    const fake = { identity: { url: identity.url } } as unknown as Stack;
    try {
      const graphql = `${identity.url}/graphql`;
      const input = aRegistration({}, '001-BC-0001');
      const { registerCitizen } = await gql(graphql, REGISTER, { input });
      const { confirmPhone } = await gql(graphql, CONFIRM, { challengeId: registerCitizen.otpChallengeId, code: await lastOtp(fake, input.phone) });
      const admin = await signTestToken({ privateKey: key.privateKey, kid: key.kid, issuer: 'national-identity-graph' }, { role: Role.ADMINISTRATOR, level: 2 });
      const redirectUri = 'http://127.0.0.1:5999/callback';
      const { registerRelyingParty } = await gql(graphql, REGISTER_RELYING_PARTY, {
        input: { name: 'Cổng sau khởi động lại', redirectUris: [redirectUri], allowedScopes: ['openid', 'profile', 'graph'] },
      }, admin);
      const rp: TestRelyingParty = { id: registerRelyingParty.relyingParty.id, clientId: registerRelyingParty.clientId, clientSecret: registerRelyingParty.clientSecret, discoveryUrl: '', redirectUri, postLogoutRedirectUri: '' };
      const agent = new Agent();
      let config = await clientOf(fake, rp);
      const first = await startFlow(config, rp, { scope: 'openid profile graph' });
      const tokens = await oidc.authorizationCodeGrant(config, await signInAndConsent(fake, agent, first.url, rp, { input }), first.checks);

      await identity.stop();
      identity = await startIdentity(loadIdentityConfig(env), { postalPoints: open });

      config = await clientOf(fake, rp);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: GRAPH_AUDIENCE });
      expect((await gql(graphql, ME, {}, refreshed.access_token)).me.id).toBe(confirmPhone.id);
      // Same browser: signed in and consented already, straight back with a code.
      const second = await startFlow(config, rp, { scope: 'openid profile graph' });
      const back = await agent.get(second.url, rp.redirectUri);
      expect(new URL(back.url).searchParams.get('code')).toBeTruthy();
      const again = await oidc.authorizationCodeGrant(config, new URL(back.url), second.checks);
      expect(again.claims()?.sub).toBe(confirmPhone.id);
    } finally {
      await identity.stop();
    }
  });
});

const ACCESS_LOG = `{ me { accessLog(first: 20) { edges { node { accessorKind accessorName action attributes scopes outcome reason } } } } }`;
const CONNECTED_SYSTEMS = `query($first: Int, $after: String) {
  me { connectedSystems(first: $first, after: $after) { edges { node { clientId name scopes firstSignInAt lastSignInAt } } pageInfo { hasNextPage endCursor } } }
}`;
const REVOKE_CONNECTED_SYSTEM = `mutation($clientId: String!) { revokeConnectedSystem(clientId: $clientId) }`;

/** How the gateway answers `me` with a token: 'OK', or the refusal's code and reason. */
async function gatewayAnswer(stack: Stack, token: string): Promise<'OK' | { status: number; code: unknown; reason: unknown }> {
  const response = await post(stack.gatewayUrl, ME, {}, token);
  if (!response.errors?.length) return 'OK';
  return { status: response.status, code: response.errors[0].extensions?.code, reason: response.errors[0].extensions?.reason };
}

/** The gateway learns of an ended grant from identity's events within a second: polled for a few. */
async function expectRefusedByGateway(stack: Stack, token: string): Promise<void> {
  await expect.poll(() => gatewayAnswer(stack, token), { timeout: 5_000, interval: 50 }).toEqual({ status: 401, code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
}

describe('single sign-on: sign-ins in the access log, connected systems, and grants that end', () => {
  const stack = useStack({ postalPoints: 50 });
  /** The person's own token for the graph (their login, not a relying party's). */
  const ownToken = (accountId: string) => stack.tokenFor({ role: Role.CITIZEN, level: 1, accountId });

  /** A person signs in to a relying party and consents; the relying party gets its tokens (with the graph's). */
  async function signedIn(rp: TestRelyingParty, person: { input: Record<string, unknown> }, agent = new Agent(), parameters: Record<string, string> = {}) {
    const config = await clientOf(stack, rp);
    const { url, checks } = await startFlow(config, rp, { scope: 'openid profile phone email graph', ...parameters });
    const tokens = await oidc.authorizationCodeGrant(config, await signInAndConsent(stack, agent, url, rp, person), checks, { resource: GRAPH_AUDIENCE });
    return { config, tokens, agent };
  }

  it('records every sign-in in the person\'s access log: the system by name, the scopes and the claims it received; a silent one too; a refused level as REFUSED', async () => {
    const rp = await aRelyingParty(stack);
    const person = await aConfirmedCitizen(stack);
    const { config, tokens, agent } = await signedIn(rp, person);
    expect(decodeJwt(tokens.access_token).grant_id).toEqual(expect.any(String));
    const [{ name }] = await stack.identity.database.dataSource.query(`SELECT name FROM identity.relying_parties WHERE client_id = $1`, [rp.clientId]);
    const entry = {
      accessorKind: 'RELYING_SYSTEM', accessorName: name, action: 'SIGN_IN', outcome: 'ALLOWED', reason: null,
      scopes: ['openid', 'profile', 'phone', 'email', 'graph'], attributes: ['FULL_NAME', 'DATE_OF_BIRTH', 'GENDER', 'PHONE', 'EMAIL'],
    };
    let log = (await gql(stack.gatewayUrl, ACCESS_LOG, {}, await ownToken(person.accountId))).me.accessLog.edges.map((e: { node: unknown }) => e.node);
    expect(log).toEqual([entry]);
    // Exchanging the code and refreshing are no sign-ins.
    await oidc.refreshTokenGrant(config, tokens.refresh_token!);

    // The same browser again: no password, no consent, a code at once. The system receives the claims again: an entry.
    const again = await startFlow(config, rp, { scope: 'openid phone' });
    const back = await agent.get(again.url, rp.redirectUri);
    expect(new URL(back.url).searchParams.get('code')).toBeTruthy();
    log = (await gql(stack.gatewayUrl, ACCESS_LOG, {}, await ownToken(person.accountId))).me.accessLog.edges.map((e: { node: unknown }) => e.node);
    expect(log).toEqual([{ ...entry, scopes: ['openid', 'phone'], attributes: ['PHONE'] }, entry]);

    // A relying party for level 2 only: the level-1 account is refused after its code, and the refusal is logged.
    const strict = await aRelyingParty(stack, { allowedLevels: [2] });
    const { url } = await startFlow(await clientOf(stack, strict), strict, { scope: 'openid profile' });
    expect((await signIn(stack, new Agent(), url, strict, person)).status).toBe(403);
    log = (await gql(stack.gatewayUrl, ACCESS_LOG, {}, await ownToken(person.accountId))).me.accessLog.edges.map((e: { node: unknown }) => e.node);
    expect(log[0]).toMatchObject({ accessorKind: 'RELYING_SYSTEM', action: 'SIGN_IN', outcome: 'REFUSED', reason: 'LEVEL_2_REQUIRED', scopes: ['openid', 'profile'], attributes: [] });
    expect(log).toHaveLength(3);
  });

  it('lists the systems a person signed in to; revoking one ends its refresh and graph tokens at once, and nobody else\'s', async () => {
    const [portal, bank, never] = [await aRelyingParty(stack, { name: `A cổng ${Date.now()}` }), await aRelyingParty(stack, { name: `B ngân hàng ${Date.now()}` }), await aRelyingParty(stack)];
    const person = await aConfirmedCitizen(stack);
    const someoneElse = await aConfirmedCitizen(stack);
    const atPortal = await signedIn(portal, person);
    const atBank = await signedIn(bank, person, new Agent(), { scope: 'openid profile offline_access graph', prompt: 'consent' });
    const othersAtPortal = await signedIn(portal, someoneElse);
    const mine = await ownToken(person.accountId);

    const first = (await gql(stack.gatewayUrl, CONNECTED_SYSTEMS, { first: 1 }, mine)).me.connectedSystems;
    expect(first.edges.map((e: { node: { clientId: string } }) => e.node.clientId)).toEqual([portal.clientId]);
    expect(first.edges[0].node).toMatchObject({ scopes: ['openid', 'profile', 'phone', 'email', 'graph'] });
    expect(Date.parse(first.edges[0].node.firstSignInAt)).toBeLessThanOrEqual(Date.parse(first.edges[0].node.lastSignInAt));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await gql(stack.gatewayUrl, CONNECTED_SYSTEMS, { first: 5, after: first.pageInfo.endCursor }, mine)).me.connectedSystems;
    expect(rest.edges.map((e: { node: { clientId: string; scopes: string[] } }) => [e.node.clientId, e.node.scopes])).toEqual([[bank.clientId, ['openid', 'profile', 'offline_access', 'graph']]]);

    // A relying party's token acts for the person in that system only: it neither lists nor revokes the others.
    const asPortal = await post(stack.gatewayUrl, CONNECTED_SYSTEMS, {}, atPortal.tokens.access_token);
    expect(asPortal.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await post(stack.gatewayUrl, REVOKE_CONNECTED_SYSTEM, { clientId: bank.clientId }, atPortal.tokens.access_token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // A system the person never signed in to, or no system at all: NOT_FOUND, nothing revoked.
    for (const clientId of [never.clientId, 'rp-000000000000000000000000', '']) {
      expect((await post(stack.gatewayUrl, REVOKE_CONNECTED_SYSTEM, { clientId }, mine)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect((await post(stack.gatewayUrl, REVOKE_CONNECTED_SYSTEM, { clientId: portal.clientId })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    expect(await gatewayAnswer(stack, atPortal.tokens.access_token)).toBe('OK');
    expect((await gql(stack.gatewayUrl, REVOKE_CONNECTED_SYSTEM, { clientId: portal.clientId }, mine)).revokeConnectedSystem).toBe(true);
    // The refresh token stops at once; the graph token at once at identity, within a second at the gateway.
    await expect(oidc.refreshTokenGrant(atPortal.config, atPortal.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const atIdentity = await post(`${stack.identity.url}/graphql`, ME, {}, atPortal.tokens.access_token);
    expect(atIdentity.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    await expectRefusedByGateway(stack, atPortal.tokens.access_token);
    const left = await stack.identity.database.dataSource.query(`
      SELECT model FROM identity.oidc_artifacts WHERE payload->>'accountId' = $1 AND payload->>'clientId' = $2 AND model IN ('Grant', 'RefreshToken', 'AuthorizationCode')`,
    [person.accountId, portal.clientId]);
    expect(left).toEqual([]);

    // The person's other system and the other person's grant with the same system are untouched.
    expect(await gatewayAnswer(stack, atBank.tokens.access_token)).toBe('OK');
    expect(await gatewayAnswer(stack, othersAtPortal.tokens.access_token)).toBe('OK');
    expect((await oidc.refreshTokenGrant(othersAtPortal.config, othersAtPortal.tokens.refresh_token!)).access_token).toBeTruthy();
    const now = (await gql(stack.gatewayUrl, CONNECTED_SYSTEMS, {}, mine)).me.connectedSystems;
    expect(now.edges.map((e: { node: { clientId: string } }) => e.node.clientId)).toEqual([bank.clientId]);
    // Revoked once is revoked: again is NOT_FOUND. Signing in to it again asks for consent again (the same browser).
    expect((await post(stack.gatewayUrl, REVOKE_CONNECTED_SYSTEM, { clientId: portal.clientId }, mine)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const again = await startFlow(atPortal.config, portal);
    expect((await atPortal.agent.get(again.url, portal.redirectUri)).body).toContain('/consent');
  });

  it('refuses an authorization code redeemed after its 60 seconds (invalid_grant)', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const { url, checks } = await startFlow(config, rp);
    const callback = await signInAndConsent(stack, new Agent(), url, rp, person);
    // The code as the store holds it 61 seconds later: its row's expiry and the times in its payload moved back alike.
    const moved = await stack.identity.database.dataSource.query(`
      UPDATE identity.oidc_artifacts SET expires_at = expires_at - interval '61 seconds',
        payload = payload || jsonb_build_object('iat', (payload->>'iat')::bigint - 61, 'exp', (payload->>'exp')::bigint - 61)
      WHERE model = 'AuthorizationCode' AND payload->>'accountId' = $1 RETURNING (payload->>'exp')::bigint - (payload->>'iat')::bigint AS lifetime`, [person.accountId]);
    expect(moved[0]).toEqual([{ lifetime: '60' }]);
    await expect(oidc.authorizationCodeGrant(config, callback, checks, { resource: GRAPH_AUDIENCE })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('the revocation endpoint on a refresh token ends the grant: the refresh token is refused, and so is the graph token, at the gateway too', async () => {
    const rp = await aRelyingParty(stack);
    const person = await aConfirmedCitizen(stack);
    const { config, tokens } = await signedIn(rp, person);
    expect(await gatewayAnswer(stack, tokens.access_token)).toBe('OK');
    await oidc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expectRefusedByGateway(stack, tokens.access_token);
    // Revoking a refresh token revokes its grant (RFC 7009 §2.1): the system is no longer connected.
    const connected = (await gql(stack.gatewayUrl, CONNECTED_SYSTEMS, {}, await ownToken(person.accountId))).me.connectedSystems;
    expect(connected.edges).toEqual([]);
  });
});
