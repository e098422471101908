import * as oidc from 'openid-client';
import { Role } from '../../subgraphs/shared/src/auth/roles';
import { gql } from './gql';
import type { Stack } from './stack';

/** The audience the test stack gives the graph (stack.ts). */
export const GRAPH_AUDIENCE = 'http://127.0.0.1:4000/graphql';

export const REGISTER_RELYING_PARTY = `mutation Register($input: RegisterRelyingPartyInput!) {
  registerRelyingParty(input: $input) { clientId clientSecret discoveryUrl relyingParty { id name confidential allowedScopes allowedLevels active } }
}`;

export interface TestRelyingParty { id: string; clientId: string; clientSecret: string | null; discoveryUrl: string; redirectUri: string; postLogoutRedirectUri: string }

/** A relying party registered through the graph by a level-2 administrator, exactly as a newcomer would. */
export async function aRelyingParty(stack: Stack, input: Record<string, unknown> = {}): Promise<TestRelyingParty> {
  const redirectUri = 'http://127.0.0.1:5999/callback';
  const postLogoutRedirectUri = 'http://127.0.0.1:5999/signed-out';
  const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR, level: 2 });
  const { registerRelyingParty } = await gql(stack.gatewayUrl, REGISTER_RELYING_PARTY, {
    input: {
      name: `Cổng thử ${Math.random().toString(36).slice(2, 8)}`, redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri],
      allowedScopes: ['openid', 'profile', 'phone', 'email', 'offline_access', 'graph'], ...input,
    },
  }, admin);
  return { id: registerRelyingParty.relyingParty.id, clientId: registerRelyingParty.clientId, clientSecret: registerRelyingParty.clientSecret, discoveryUrl: registerRelyingParty.discoveryUrl, redirectUri, postLogoutRedirectUri };
}

/** A standard OpenID Connect client (openid-client) configured from the discovery document. */
export async function clientOf(stack: Stack, rp: TestRelyingParty): Promise<oidc.Configuration> {
  const issuer = new URL(`${stack.identity.url}/oidc`);
  return oidc.discovery(issuer, rp.clientId, undefined, rp.clientSecret ? oidc.ClientSecretBasic(rp.clientSecret) : oidc.None(), { execute: [oidc.allowInsecureRequests] });
}

/** The start of an authorization code flow with PKCE: the URL to send the browser to, and what the callback is checked with. */
export async function startFlow(config: oidc.Configuration, rp: TestRelyingParty, parameters: Record<string, string> = {}) {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: rp.redirectUri, scope: 'openid profile phone email graph', code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256', state, resource: GRAPH_AUDIENCE, ...parameters,
  });
  return { url, checks: { pkceCodeVerifier: codeVerifier, expectedState: state } };
}

export interface Hop { status: number; url: string; location?: string; body: string }

/**
 * A user agent without a browser: keeps cookies, follows redirects up to the relying party's address (which it does
 * not fetch), and posts forms as a person would. For the protocol cases; the browser test drives real Chromium.
 */
export class Agent {
  private readonly cookies = new Map<string, string>();

  async get(url: string | URL, stopAt: string): Promise<Hop> { return this.follow(String(url), { method: 'GET' }, stopAt); }

  async post(url: string, fields: Record<string, string>, stopAt: string): Promise<Hop> {
    return this.follow(url, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, stopAt);
  }

  private async follow(url: string, init: RequestInit, stopAt: string): Promise<Hop> {
    let current = url;
    let request = init;
    for (let hops = 0; hops < 15; hops++) {
      if (current.startsWith(stopAt)) return { status: 0, url: current, body: '' };
      const response = await fetch(current, { ...request, redirect: 'manual', headers: { ...(request.headers as Record<string, string>), cookie: this.cookieHeader() } });
      this.remember(response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString();
        request = { method: 'GET' };
        continue;
      }
      return { status: response.status, url: current, body: await response.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private cookieHeader(): string { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }

  private remember(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const [name, value] = [pair.slice(0, index).trim(), pair.slice(index + 1).trim()];
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]).getTime() < Date.now()));
      if (expired || !value) this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }
}

/** The value of a form's hidden field, or of the action of the form whose action ends with `suffix`. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no field ${name} in:\n${html.slice(0, 2000)}`);
  return match[1];
}

export function formAction(html: string, suffix: string): string {
  const match = new RegExp(`action="([^"]*/${suffix})"`).exec(html);
  if (!match) throw new Error(`no form posting to …/${suffix} in:\n${html.slice(0, 2000)}`);
  return match[1];
}
