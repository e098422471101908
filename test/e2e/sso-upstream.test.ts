import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { Provider, type AnyObject } from 'oidc-provider';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR_LEVEL_1, ACR_LEVEL_2 } from '../../subgraphs/shared/src/auth/assurance';
import { Role } from '../../subgraphs/shared/src/auth/roles';
import { freePort } from '../../scripts/lib/local-services';
import { aConfirmedCitizen, aPersonalIdNumber } from '../kit/builders';
import { gql } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';
import { Agent, aRelyingParty, clientOf, formAction, GRAPH_AUDIENCE, hiddenField, startFlow, type Hop, type TestRelyingParty } from '../kit/sso';

/*
 * Signing in with an upstream OpenID Connect provider (VNeID) instead of a password. The upstream here is a second
 * oidc-provider, started by the test on a loopback port, with identity registered as its one client: its sign-in
 * vouches at once for whoever the test names next (a subject holding a personal identification number), at the level
 * the test chooses, and releases the number at userinfo as a real provider would for the code flow.
 */

const UPSTREAM_CLIENT_ID = 'national-identity-graph';
const UPSTREAM_CLIENT_SECRET = 'an-upstream-client-secret-for-the-tests-only';

interface Vouch { pin: string; acr: string }

class TestUpstream {
  issuer = '';
  /** Whom the upstream's next sign-in vouches for, and at what level. */
  next: Vouch | undefined;
  private readonly people = new Map<string, string>();
  private server: http.Server | undefined;

  async reserve(): Promise<string> {
    this.issuer = `http://127.0.0.1:${await freePort()}`;
    return this.issuer;
  }

  /** Starts once identity's address (its callback) is known. */
  async start(callback: string): Promise<void> {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const provider = new Provider(this.issuer, {
      clients: [{
        client_id: UPSTREAM_CLIENT_ID, client_secret: UPSTREAM_CLIENT_SECRET, redirect_uris: [callback],
        grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      }],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'upstream-1', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['an-upstream-cookie-key-of-32-characters-or-more'] },
      acrValues: [ACR_LEVEL_1, ACR_LEVEL_2],
      claims: { acr: null, openid: ['sub', 'personal_id_number'] },
      features: { devInteractions: { enabled: false } },
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
      pkce: { required: () => true },
      interactions: { url: async (_ctx: AnyObject, interaction: AnyObject) => `/interaction/${interaction.uid}` },
      findAccount: async (_ctx: AnyObject, sub: string) => (this.people.has(sub)
        ? { accountId: sub, claims: async () => ({ sub, personal_id_number: this.people.get(sub) }) } : undefined),
    });
    const handle = provider.callback();
    this.server = http.createServer((req, res) => {
      if (!req.url?.startsWith('/interaction/')) return handle(req, res);
      this.interact(provider, req, res).catch((error: Error) => { res.statusCode = 500; res.end(error.message); });
    });
    await new Promise<void>((resolve) => this.server!.listen(Number(new URL(this.issuer).port), '127.0.0.1', resolve));
  }

  /** The upstream's own sign-in: the person named next signs in at once, and consents to what identity asks. */
  private async interact(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const who = this.next;
      if (!who) throw new Error('the test named nobody to sign in upstream');
      const sub = `vneid-${randomUUID()}`;
      this.people.set(sub, who.pin);
      return provider.interactionFinished(req, res, { login: { accountId: sub, acr: who.acr } }, { mergeWithLastSubmission: false });
    }
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}

async function raiseToLevel2(stack: Stack, accountId: string): Promise<void> {
  await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET level = 'LEVEL_2', status = 'ACTIVE' WHERE id = $1`, [accountId]);
}

describe('single sign-on through an upstream provider (VNeID)', () => {
  const upstream = new TestUpstream();
  const identityEnv: Record<string, string> = {};
  beforeAll(async () => {
    Object.assign(identityEnv, {
      UPSTREAM_OIDC_ISSUER: await upstream.reserve(), UPSTREAM_OIDC_CLIENT_ID: UPSTREAM_CLIENT_ID, UPSTREAM_OIDC_CLIENT_SECRET: UPSTREAM_CLIENT_SECRET,
    });
  });
  const stack = useStack({ postalPoints: 50, identityEnv });
  beforeAll(async () => { await upstream.start(`${stack.identity.url}/oidc/upstream/callback`); });
  afterAll(async () => { await upstream.stop(); });

  const callbackPrefix = () => `${stack.identity.url}/oidc/upstream/callback`;

  /** The relying party sends the browser to identity's sign-in page; the person chooses VNeID. Returns where that ends (stopping at `stopAt`). */
  async function withUpstream(agent: Agent, start: URL, vouch: Vouch, stopAt: string): Promise<{ login: Hop; end: Hop }> {
    const login = await agent.get(start, stopAt);
    expect(login.status, login.body).toBe(200);
    upstream.next = vouch;
    const end = await agent.post(new URL(formAction(login.body, 'upstream'), login.url).toString(), { csrf: hiddenField(login.body, 'csrf') }, stopAt);
    return { login, end };
  }

  async function consent(agent: Agent, page: Hop, rp: TestRelyingParty): Promise<URL> {
    expect(page.body, page.body).toContain('/consent');
    const back = await agent.post(new URL(formAction(page.body, 'consent'), page.url).toString(), { csrf: hiddenField(page.body, 'csrf') }, rp.redirectUri);
    expect(back.url.startsWith(rp.redirectUri), back.body).toBe(true);
    return new URL(back.url);
  }

  it('signs in the person the upstream names, matched by personal identification number: the relying party\'s tokens are theirs, at the lower of the two levels', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const agent = new Agent();
    const { url, checks } = await startFlow(config, rp);
    const { login, end } = await withUpstream(agent, url, { pin: String(person.input.personalIdNumber), acr: ACR_LEVEL_2 }, rp.redirectUri);
    expect(login.body).toContain('Đăng nhập bằng VNeID');
    const tokens = await oidc.authorizationCodeGrant(config, await consent(agent, end, rp), checks, { resource: GRAPH_AUDIENCE });
    // The upstream vouched at level 2 for a level-1 account: the session is level 1 (the account was never checked in person).
    expect(tokens.claims()).toMatchObject({ sub: person.accountId, acr: ACR_LEVEL_1 });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: person.accountId, acr: ACR_LEVEL_1 });
    expect((await gql(stack.gatewayUrl, '{ me { id } }', {}, tokens.access_token)).me.id).toBe(person.accountId);
    // The sign-in is in the person's access log like any other.
    const own = await stack.tokenFor({ role: Role.CITIZEN, level: 1, accountId: person.accountId });
    const { me } = await gql(stack.gatewayUrl, '{ me { accessLog(first: 5) { edges { node { action accessorKind outcome } } } } }', {}, own);
    expect(me.accessLog.edges.map((e: { node: unknown }) => e.node)).toEqual([{ action: 'SIGN_IN', accessorKind: 'RELYING_SYSTEM', outcome: 'ALLOWED' }]);
    // Nothing of the password limiter was counted.
    expect(await stack.redis.exists(`${stack.keyPrefix}limit:login-username:${person.input.personalIdNumber}`)).toBe(0);
  });

  it('gives a level-2 account level 2 only when the upstream asserts it: a level-1 assertion makes a level-1 session and level-1 graph tokens', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    await raiseToLevel2(stack, person.accountId);
    for (const [asserted, expected] of [[ACR_LEVEL_2, ACR_LEVEL_2], [ACR_LEVEL_1, ACR_LEVEL_1]]) {
      const agent = new Agent();
      const { url, checks } = await startFlow(config, rp);
      const { end } = await withUpstream(agent, url, { pin: String(person.input.personalIdNumber), acr: asserted }, rp.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(config, await consent(agent, end, rp), checks, { resource: GRAPH_AUDIENCE });
      expect([tokens.claims()?.acr, decodeJwt(tokens.access_token).acr]).toEqual([expected, expected]);
      // Refreshed later, the graph's token keeps the level of the sign-in it came from.
      expect(decodeJwt((await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: GRAPH_AUDIENCE })).access_token).acr).toBe(expected);
    }
  });

  it('refuses a personal identification number no account has, and an account that cannot sign in, on the sign-in page: nobody is signed in', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const unknown = await withUpstream(new Agent(), (await startFlow(config, rp)).url, { pin: aPersonalIdNumber(1985, 'MALE'), acr: ACR_LEVEL_2 }, rp.redirectUri);
    expect(unknown.end.status).toBe(403);
    expect(unknown.end.url).toMatch(/\/oidc\/interaction\//);
    expect(unknown.end.body).toContain('chưa có tài khoản định danh điện tử nào mang số định danh cá nhân này');
    expect(unknown.end.body).toContain('name="password"');

    const suspended = await aConfirmedCitizen(stack);
    await stack.identity.database.dataSource.query(`UPDATE identity.accounts SET status = 'SUSPENDED' WHERE id = $1`, [suspended.accountId]);
    const refused = await withUpstream(new Agent(), (await startFlow(config, rp, { ui_locales: 'en' })).url, { pin: String(suspended.input.personalIdNumber), acr: ACR_LEVEL_2 }, rp.redirectUri);
    expect(refused.end.status).toBe(403);
    expect(refused.end.body).toContain('This account is locked, suspended or revoked.');
  });

  it('refuses a level-2 request the upstream vouches for at level 1 only, with the page that says where to get verified', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const agent = new Agent();
    const { url } = await startFlow(config, rp, { acr_values: ACR_LEVEL_2 });
    const { end } = await withUpstream(agent, url, { pin: String(person.input.personalIdNumber), acr: ACR_LEVEL_1 }, rp.redirectUri);
    expect(end.status).toBe(403);
    expect(end.body).toContain('mức độ 2');
    expect(end.body).toContain(String(person.input.verificationPostalPointCode));
    const back = await agent.post(new URL(formAction(end.body, 'abort'), end.url).toString(), { csrf: hiddenField(end.body, 'csrf') }, rp.redirectUri);
    expect(new URL(back.url).searchParams.get('error')).toBe('unmet_authentication_requirements');

    // A level-2 account the upstream confirmed at level 1 only is told to sign in another way (not where to get verified).
    const verified = await aConfirmedCitizen(stack);
    await raiseToLevel2(stack, verified.accountId);
    const other = await withUpstream(new Agent(), (await startFlow(config, rp, { acr_values: ACR_LEVEL_2, ui_locales: 'en' })).url, { pin: String(verified.input.personalIdNumber), acr: ACR_LEVEL_1 }, rp.redirectUri);
    expect(other.end.status).toBe(403);
    expect(other.end.body).toContain('VNeID confirmed this sign-in at level 1 only');
    expect(other.end.body).not.toContain(String(verified.input.verificationPostalPointCode));
    expect(other.end.body).toContain('/retry');
  });

  it('refuses a callback whose state was tampered with, replayed or brought by another browser, and a bad code: nobody is signed in', async () => {
    const rp = await aRelyingParty(stack);
    const config = await clientOf(stack, rp);
    const person = await aConfirmedCitizen(stack);
    const agent = new Agent();
    const { url } = await startFlow(config, rp);
    const { end } = await withUpstream(agent, url, { pin: String(person.input.personalIdNumber), acr: ACR_LEVEL_2 }, callbackPrefix());
    const callback = new URL(end.url);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const refused = await agent.get(tampered, rp.redirectUri);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Không thể tiếp tục');
    // The right state from a browser that did not start the attempt (no binding cookie) is refused, and spends it.
    expect((await new Agent().get(callback, rp.redirectUri)).status).toBe(400);
    expect((await agent.get(callback, rp.redirectUri)).status).toBe(400);
    // Still not signed in: the relying party's request shows the sign-in page again.
    expect((await agent.get(url, rp.redirectUri)).body).toContain('name="password"');

    // A fresh attempt whose code is not the upstream's: its state is right, the exchange fails, back to the page.
    const again = await withUpstream(agent, (await startFlow(config, rp)).url, { pin: String(person.input.personalIdNumber), acr: ACR_LEVEL_2 }, callbackPrefix());
    const badCode = new URL(again.end.url);
    badCode.searchParams.set('code', 'not-a-code-the-upstream-issued');
    const failed = await agent.get(badCode, rp.redirectUri);
    expect(failed.status).toBe(400);
    expect(failed.body).toContain('Không hoàn tất được việc đăng nhập qua dịch vụ định danh bên ngoài');
    const models = await stack.identity.database.dataSource.query(`SELECT model FROM identity.oidc_artifacts WHERE payload->>'accountId' = $1`, [person.accountId]);
    expect(models).toEqual([]);
  });
});
