import { describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { ACR_LEVEL_1, ACR_LEVEL_2 } from '../../../shared/src';
import { requiredLevel } from './provider';
import { checkRelyingPartyRegistration, redirectUriProblem } from './relying-party.rules';
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
