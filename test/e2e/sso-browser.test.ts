import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR_LEVEL_1 } from '../../subgraphs/shared/src/auth/assurance';
import { aConfirmedCitizen, lastOtp } from '../kit/builders';
import { gql } from '../kit/gql';
import { useStack } from '../kit/stack';
import { aRelyingParty, GRAPH_AUDIENCE } from '../kit/sso';

/** Debian's chromium (what .ci/run installs), or another one named by CHROMIUM_PATH or found on PATH. */
function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const name of ['chromium', 'chromium-browser']) {
    try { candidates.push(execFileSync('which', [name], { encoding: 'utf8' }).trim()); } catch { /* not on PATH */ }
  }
  return candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate));
}

const executablePath = findChromium();
if (!executablePath) console.warn('sso-browser: SKIPPED — no chromium on this machine (install Debian\'s `chromium`, as .ci/run does, or set CHROMIUM_PATH)');

/** `UPDATE_SCREENSHOTS=1` refreshes docs/sign-in.png (the README shows it); otherwise the screenshot goes to a temporary folder. */
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.join(__dirname, '../../docs/sign-in.png')
  : path.join(os.tmpdir(), `sign-in-${process.pid}.png`);

interface RpOutcome { claims: Record<string, unknown>; userinfo: Record<string, unknown>; me: { id: string; fullName: string; level: string } }

describe.skipIf(!executablePath)('single sign-on in a real browser (headless Chromium)', () => {
  const stack = useStack({ postalPoints: 50 });
  let browser: Browser;
  let rpServer: http.Server;
  let rpUrl: string;
  let outcome: Promise<RpOutcome>;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    // A relying party as a portal writes one with openid-client: /login starts the flow, /callback finishes it.
    rpServer = http.createServer();
    await new Promise<void>((resolve) => rpServer.listen(0, '127.0.0.1', resolve));
    rpUrl = `http://127.0.0.1:${(rpServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (rpServer ? rpServer.close(() => resolve()) : resolve()));
  });

  it('a person signs in to a relying party: password, code from the outbox, consent; the portal then reads userinfo and queries `me`', async () => {
    const rp = await aRelyingParty(stack, { name: 'Cổng dịch vụ công Bưu điện', redirectUris: [`${rpUrl}/callback`] });
    const config = await oidc.discovery(new URL(`${stack.identity.url}/oidc`), rp.clientId, undefined, oidc.ClientSecretBasic(rp.clientSecret!), { execute: [oidc.allowInsecureRequests] });
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    let settle!: (value: RpOutcome) => void;
    let fail!: (error: unknown) => void;
    outcome = new Promise<RpOutcome>((resolve, reject) => { settle = resolve; fail = reject; });
    rpServer.on('request', async (req, res) => {
      const url = new URL(req.url!, rpUrl);
      if (url.pathname === '/login') {
        const target = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${rpUrl}/callback`, scope: 'openid profile phone email graph', state, resource: GRAPH_AUDIENCE,
          code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
        });
        res.writeHead(302, { location: target.href }).end();
        return;
      }
      if (url.pathname !== '/callback') { res.writeHead(404).end(); return; }
      try {
        const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: codeVerifier, expectedState: state }, { resource: GRAPH_AUDIENCE });
        const { me } = await gql(stack.gatewayUrl, '{ me { id fullName level } }', {}, tokens.access_token);
        const forUserinfo = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
        const userinfo = await oidc.fetchUserInfo(config, forUserinfo.access_token, tokens.claims()!.sub);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!DOCTYPE html><html lang="vi"><title>Cổng thử</title><h1>Xin chào ${me.fullName}</h1></html>`);
        settle({ claims: tokens.claims()!, userinfo, me });
      } catch (error) {
        res.writeHead(500).end(String(error));
        fail(error);
      }
    });

    const person = await aConfirmedCitizen(stack);
    const page = await browser.newPage({ locale: 'vi-VN', viewport: { width: 900, height: 820 } });
    try {
      await page.goto(`${rpUrl}/login`);
      await expect.poll(() => page.title()).toContain('Đăng nhập');
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // Reached by their labels, submitted with the keyboard.
      await page.getByLabel('Tên đăng nhập (số định danh cá nhân)').fill(String(person.input.personalIdNumber));
      await page.getByLabel('Mật khẩu').fill(String(person.input.password));
      await page.getByLabel('Mật khẩu').press('Enter');

      await page.getByLabel('Mã xác thực (6 chữ số)').waitFor();
      await page.getByLabel('Mã xác thực (6 chữ số)').fill(await lastOtp(stack, String(person.input.phone)));
      await page.keyboard.press('Enter');

      await expect.poll(() => page.locator('h1').textContent()).toBe('Cho phép chia sẻ thông tin');
      const consent = await page.locator('ul.claims').textContent();
      expect(consent).toContain('Họ và tên, ngày sinh, giới tính');
      expect(consent).toContain('Số điện thoại');
      await page.getByRole('button', { name: 'Đồng ý', exact: true }).click();

      await page.waitForURL(`${rpUrl}/callback**`);
      const signedIn = await outcome;
      await expect.poll(() => page.locator('h1').textContent()).toBe(`Xin chào ${person.input.fullName}`);
      expect(signedIn.claims).toMatchObject({ sub: person.accountId, acr: ACR_LEVEL_1 });
      expect(signedIn.userinfo).toMatchObject({ sub: person.accountId, name: person.input.fullName, email: person.input.email, phone_number_verified: true });
      expect(signedIn.me).toEqual({ id: person.accountId, fullName: person.input.fullName, level: 'LEVEL_1' });
    } finally {
      await page.close();
    }
  });

  it('shows a wrong password as an alert next to the form, in English when chosen', async () => {
    const rp = await aRelyingParty(stack, { redirectUris: [`${rpUrl}/callback`] });
    const config = await oidc.discovery(new URL(`${stack.identity.url}/oidc`), rp.clientId, undefined, oidc.ClientSecretBasic(rp.clientSecret!), { execute: [oidc.allowInsecureRequests] });
    const person = await aConfirmedCitizen(stack);
    const page = await browser.newPage();
    try {
      await page.goto(oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${rpUrl}/callback`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
      }).href);
      await page.getByRole('link', { name: 'English' }).click();
      await page.getByLabel('Username (personal identification number)').fill(String(person.input.personalIdNumber));
      await page.getByLabel('Password').fill('Not-the-password-1!');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong username or password.');
      expect(await page.getByLabel('Username (personal identification number)').inputValue()).toBe(String(person.input.personalIdNumber));
    } finally {
      await page.close();
    }
  });
});
