import { randomBytes } from 'node:crypto';
import { GRAPH_SCOPE, type FieldProblem } from '../../../shared/src';
import { tidyText } from '../partners/partner-rules';

/**
 * The scopes a relying party may be allowed, and the claims each releases (OpenID Connect Core §5.4): `openid` the
 * account id as `sub`; `profile` name, date of birth and gender; `phone` and `email` those; `offline_access` a refresh
 * token; `graph` an access token the graph accepts on the person's behalf.
 */
export const SSO_SCOPES = ['openid', 'profile', 'phone', 'email', 'offline_access', GRAPH_SCOPE] as const;
export type SsoScope = (typeof SSO_SCOPES)[number];

export const SCOPE_CLAIMS: Record<'openid' | 'profile' | 'phone' | 'email', string[]> = {
  openid: ['sub'],
  profile: ['name', 'birthdate', 'gender'],
  phone: ['phone_number', 'phone_number_verified'],
  email: ['email', 'email_verified'],
};

export interface RelyingPartyRegistration {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | null;
  allowedScopes: string[];
  allowedLevels?: number[] | null;
  /** A server that keeps a client secret (default); false for an app in a browser or on a phone (PKCE only). */
  confidential?: boolean | null;
}

export interface CheckedRegistration {
  name: string; redirectUris: string[]; postLogoutRedirectUris: string[]; allowedScopes: SsoScope[]; allowedLevels: number[]; confidential: boolean;
}

const MAX_URIS = 20;

/**
 * An address a person may be sent back to: absolute, https (or http to this machine's loopback, for development and
 * native apps, RFC 8252), without a fragment or credentials. Compared exactly by the provider, never by prefix.
 */
export function redirectUriProblem(value: string): string | null {
  let url: URL;
  try { url = new URL(value); } catch { return 'is not an absolute URL'; }
  if (value.length > 2000) return 'is longer than 2000 characters';
  if (url.hash || value.includes('#')) return 'must not have a fragment (#…)';
  if (url.username || url.password) return 'must not carry credentials';
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'must use https (http only to 127.0.0.1 or localhost)';
  return null;
}

/** The registration as it will be stored, and every problem with it at once. */
export function checkRelyingPartyRegistration(input: RelyingPartyRegistration): { value: CheckedRegistration; problems: FieldProblem[] } {
  const value: CheckedRegistration = {
    name: tidyText(input.name),
    redirectUris: [...new Set(input.redirectUris.map((u) => u.trim()))],
    postLogoutRedirectUris: [...new Set((input.postLogoutRedirectUris ?? []).map((u) => u.trim()))],
    allowedScopes: SSO_SCOPES.filter((s) => input.allowedScopes.includes(s)),
    allowedLevels: [1, 2].filter((l) => (input.allowedLevels ?? [1, 2]).includes(l)),
    confidential: input.confidential ?? true,
  };
  const problems: FieldProblem[] = [];
  if (value.name.length < 2 || value.name.length > 200) problems.push({ field: 'name', message: 'The name must be 2–200 characters.' });
  if (!value.redirectUris.length || value.redirectUris.length > MAX_URIS) problems.push({ field: 'redirectUris', message: `Give 1–${MAX_URIS} redirect URIs.` });
  if (value.postLogoutRedirectUris.length > MAX_URIS) problems.push({ field: 'postLogoutRedirectUris', message: `Give at most ${MAX_URIS} URIs.` });
  for (const [field, uris] of [['redirectUris', value.redirectUris], ['postLogoutRedirectUris', value.postLogoutRedirectUris]] as const) {
    for (const uri of uris) {
      const problem = redirectUriProblem(uri);
      if (problem) problems.push({ field, message: `${uri.slice(0, 200)} ${problem}.` });
    }
  }
  const unknown = input.allowedScopes.filter((s) => !(SSO_SCOPES as readonly string[]).includes(s));
  if (unknown.length) problems.push({ field: 'allowedScopes', message: `Unknown scope(s): ${unknown.join(', ')}; known: ${SSO_SCOPES.join(', ')}.` });
  if (!value.allowedScopes.includes('openid')) problems.push({ field: 'allowedScopes', message: 'openid is required: it is what signing in is.' });
  if ((input.allowedLevels ?? []).some((l) => l !== 1 && l !== 2) || !value.allowedLevels.length) {
    problems.push({ field: 'allowedLevels', message: 'Assurance levels are 1 and 2; give one or both.' });
  }
  return { value, problems };
}

/** Client ids are public; unguessability is the secret's (or PKCE's) job. */
export function newRelyingPartyClientId(): string {
  return `rp-${randomBytes(12).toString('hex')}`;
}
