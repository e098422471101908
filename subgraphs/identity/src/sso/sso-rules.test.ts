import { describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { ACR_LEVEL_1, ACR_LEVEL_2 } from '../../../shared/src';
import { requiredLevel } from './provider';
import { testGatewayKeys } from '../../../../test/kit/gateway-proof';
import { loadIdentityConfig } from '../config';
import { checkRelyingPartyRegistration, redirectUriProblem } from './relying-party.rules';
import { attributesOfScopes, scopeList } from './sign-in.log';
import { levelRefusedPage, loginPage } from './sign-in.pages';
import { clientIpOf, languageOf } from './sign-in.routes';

describe('the level a sign-in must reach', () => {
  it.each([
    ['nothing asked, both levels accepted', undefined, [1, 2], 1],
    ['level 2 asked', ACR_LEVEL_2, [1, 2], 2],
    ['either level listed', `${ACR_LEVEL_1} ${ACR_LEVEL_2}`, [1, 2], 1],
    ['a relying party for level 2 only, nothing asked', undefined, [2], 2],
    ['a relying party for level 2 only, level 1 asked', ACR_LEVEL_1, [2], 2],
    ['unknown values ignored', 'urn:other:loa:3', [1, 2], 1],
  ])('%s', (_label, acrValues, levels, expected) => {
    expect(requiredLevel(acrValues, levels)).toBe(expected);
  });
});

describe('relying party registration', () => {
  it.each([
    ['https://portal.example.vn/callback', null],
    ['http://127.0.0.1:8080/cb', null],
    ['http://localhost/cb', null],
    ['http://portal.example.vn/cb', 'must use https (http only to 127.0.0.1 or localhost)'],
    ['https://portal.example.vn/cb#frag', 'must not have a fragment (#…)'],
    ['https://user:pw@portal.example.vn/cb', 'must not carry credentials'],
    ['/callback', 'is not an absolute URL'],
    ['javascript:alert(1)', 'must use https (http only to 127.0.0.1 or localhost)'],
  ])('%s → %s', (uri, problem) => {
    expect(redirectUriProblem(uri)).toBe(problem);
  });

  it('names every problem at once and keeps scopes and levels in their order', () => {
    const { value, problems } = checkRelyingPartyRegistration({ name: ' x ', redirectUris: [], allowedScopes: ['graph', 'profile', 'admin'], allowedLevels: [3] });
    expect(problems.map((p) => p.field)).toEqual(['name', 'redirectUris', 'allowedScopes', 'allowedScopes', 'allowedLevels']);
    expect(value.allowedScopes).toEqual(['profile', 'graph']);
    const ok = checkRelyingPartyRegistration({ name: 'Cổng  thử', redirectUris: ['https://a.vn/cb', 'https://a.vn/cb'], allowedScopes: ['email', 'openid'] });
    expect(ok.problems).toEqual([]);
    expect(ok.value).toMatchObject({ name: 'Cổng thử', redirectUris: ['https://a.vn/cb'], allowedScopes: ['openid', 'email'], allowedLevels: [1, 2], confidential: true });
  });
});

describe('sign-in requests', () => {
  const request = (headers: Record<string, string>, remoteAddress = '10.0.0.5') =>
    ({ header: (name: string) => headers[name.toLowerCase()], socket: { remoteAddress } }) as unknown as Request;

  it('count attempts under the socket\'s peer, or behind the trusted proxy under the address it appended', () => {
    expect(clientIpOf(request({ 'x-forwarded-for': '1.2.3.4' }), false)).toBe('10.0.0.5');
    expect(clientIpOf(request({ 'x-forwarded-for': '6.6.6.6, 1.2.3.4' }), true)).toBe('1.2.3.4');
    expect(clientIpOf(request({}), true)).toBe('10.0.0.5');
  });

  it('speak Vietnamese unless English is chosen or asked for by ui_locales', () => {
    expect(languageOf({ headers: {} })).toBe('vi');
    expect(languageOf({ headers: {} }, 'en-GB vi')).toBe('en');
    expect(languageOf({ query: { lang: 'vi' }, headers: {} }, 'en')).toBe('vi');
    expect(languageOf({ headers: { cookie: 'a=b; nig_sso_lang=en' } })).toBe('en');
  });
});

describe('sign-ins in the access log', () => {
  it('name the scopes in the catalogue\'s order, and the attributes they released', () => {
    expect(scopeList('graph email openid graph custom')).toEqual(['openid', 'email', 'graph', 'custom']);
    expect(scopeList(undefined)).toEqual([]);
    expect(attributesOfScopes(['openid', 'profile', 'phone', 'offline_access', 'graph'])).toEqual(['FULL_NAME', 'DATE_OF_BIRTH', 'GENDER', 'PHONE']);
    expect(attributesOfScopes(['openid', 'graph'])).toEqual([]);
  });
});

describe('the upstream provider (VNeID)', () => {
  const form = { lang: 'vi' as const, action: '/oidc/interaction/u1', csrf: 'c', relyingParty: 'Cổng thử', languageHref: '?lang=en' };

  it('is a button on the sign-in page only when configured, bound to the interaction like every form', () => {
    expect(loginPage(form)).not.toContain('/upstream');
    const page = loginPage({ ...form, upstream: 'VNeID' });
    expect(page).toContain('<form method="post" action="/oidc/interaction/u1/upstream"><input type="hidden" name="csrf" value="c">');
    expect(page).toContain('Đăng nhập bằng VNeID');
    expect(loginPage({ ...form, lang: 'en', upstream: 'VNeID' })).toContain('Sign in with VNeID');
  });

  it('refuses a level-2 account it confirmed at level 1 only without sending it to get verified', () => {
    const page = levelRefusedPage({ ...form, lang: 'en', postalPoint: { code: '001-BC-0001' }, upstreamLevelOnly: 'VNeID' });
    expect(page).toContain('VNeID confirmed this sign-in at level 1 only');
    expect(page).not.toContain('001-BC-0001');
    expect(page).toContain('/oidc/interaction/u1/retry');
    expect(levelRefusedPage({ ...form, postalPoint: { code: '001-BC-0001' } })).not.toContain('/retry');
  });

  it('is off unless configured, and configured whole: issuer and client id together, https (or the loopback)', () => {
    const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://x/y', GATEWAY_PUBLIC_KEY: testGatewayKeys().GATEWAY_PUBLIC_KEY };
    expect(loadIdentityConfig(base).UPSTREAM_OIDC_ISSUER).toBeUndefined();
    const on = loadIdentityConfig({ ...base, UPSTREAM_OIDC_ISSUER: 'https://vneid.example.vn', UPSTREAM_OIDC_CLIENT_ID: 'nig' });
    expect(on).toMatchObject({ UPSTREAM_OIDC_NAME: 'VNeID', UPSTREAM_OIDC_PIN_CLAIM: 'personal_id_number', UPSTREAM_OIDC_SCOPE: 'openid' });
    expect(() => loadIdentityConfig({ ...base, UPSTREAM_OIDC_ISSUER: 'https://vneid.example.vn' })).toThrow(/UPSTREAM_OIDC_CLIENT_ID: required/);
    expect(() => loadIdentityConfig({ ...base, UPSTREAM_OIDC_CLIENT_ID: 'nig' })).toThrow(/UPSTREAM_OIDC_ISSUER: required/);
    expect(() => loadIdentityConfig({ ...base, UPSTREAM_OIDC_ISSUER: 'http://vneid.example.vn', UPSTREAM_OIDC_CLIENT_ID: 'nig' })).toThrow(/https/);
    expect(loadIdentityConfig({ ...base, UPSTREAM_OIDC_ISSUER: 'http://127.0.0.1:9000', UPSTREAM_OIDC_CLIENT_ID: 'nig' }).UPSTREAM_OIDC_ISSUER).toBe('http://127.0.0.1:9000');
    expect(() => loadIdentityConfig({ ...base, UPSTREAM_OIDC_ISSUER: 'https://vneid.example.vn', UPSTREAM_OIDC_CLIENT_ID: 'nig', UPSTREAM_OIDC_SCOPE: 'profile' })).toThrow(/openid/);
  });
});
