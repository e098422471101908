import { Provider, interactionPolicy, errors, type AnyObject } from 'oidc-provider';
import type { DataSource } from 'typeorm';
import { ACR_VALUES, acrOfLevel, GRANT_ID_CLAIM, GRAPH_SCOPE, levelOfAcr, type Logger } from '../../../shared/src';
import { Account, AssuranceLevel, type Gender } from '../accounts/account.entity';
import { canLogIn } from '../accounts/account-status';
import { verifyClientSecret } from '../partners/partner-secret';
import { ACCESS_TOKEN_TTL_SECONDS } from '../sessions/session.service';
import type { OidcStore } from './oidc-store';
import { SCOPE_CLAIMS } from './relying-party.rules';
import { errorPage, logoutPage, signedOutPage } from './sign-in.pages';
import type { Language } from './sign-in.texts';

/** Where identity serves the provider; the issuer URL ends with it. */
export const OIDC_MOUNT_PATH = '/oidc';

export interface SsoProviderOptions {
  issuer: string;
  /** The resource indicator naming the graph: the audience of the access tokens it accepts. */
  graphAudience: string;
  /** The graph's current signing key as a private JWK (same `kid` as every token the graph signs). */
  signingJwk: AnyObject;
  cookieKeys: string[];
  trustProxy: boolean;
  db: DataSource;
  store: OidcStore;
  log: Logger;
  /** The language a request's pages use (sign-in.routes.ts decides it). */
  languageOf: (ctx: AnyObject) => Language;
}

/**
 * The level a sign-in must reach for this request: what the relying party accepts at all (its registered levels)
 * and, if it asked with `acr_values`, the lowest level it listed (the list is a set of acceptable values).
 */
export function requiredLevel(acrValues: unknown, allowedLevels: readonly number[] | undefined): 1 | 2 {
  const requested = typeof acrValues === 'string' ? acrValues.split(' ').map(levelOfAcr).filter((l): l is 1 | 2 => l !== null) : [];
  const fromRequest = requested.length ? Math.min(...requested) : 1;
  const fromClient = allowedLevels?.length ? Math.min(...allowedLevels) : 1;
  return Math.max(fromRequest, fromClient) as 1 | 2;
}

const levelOf = (account: Pick<Account, 'level'>): 1 | 2 => (account.level === AssuranceLevel.LEVEL_2 ? 2 : 1);
const genderClaim = (gender: Gender | null) => (gender ? gender.toLowerCase() : undefined);

/**
 * The OpenID Connect provider (oidc-provider): authorization code flow with PKCE (S256) required of every client,
 * discovery, userinfo, refresh tokens rotated at each use (a rotated one presented again revokes the whole grant),
 * RP-initiated logout, and JWT access tokens for the graph (resource indicator GRAPH_AUDIENCE, scope `graph`).
 * Everything is signed with the graph's own key, so the graph's JWKS verifies it.
 */
export function createSsoProvider(options: SsoProviderOptions): Provider {
  const { issuer, graphAudience, db, log } = options;
  const accounts = db.getRepository(Account);

  const policy = interactionPolicy.base();
  // A session signed in at a lower level than this request needs (acr_values, the client's levels) signs in again;
  // the sign-in then refuses a level-1 account with the page that says where to get verified.
  policy.get('login').checks.add(new interactionPolicy.Check('acr_level', 'the requested assurance level is higher than the session\'s', async (ctx) => {
    const { oidc } = ctx;
    if (!oidc.session.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    const needed = requiredLevel(oidc.params.acr_values, oidc.client.allowed_levels);
    const held = levelOfAcr(oidc.session.acr) ?? 1;
    return held < needed ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
  }));

  const provider = new Provider(issuer, {
    adapter: options.store.adapterClass(),
    jwks: { keys: [options.signingJwk] },
    cookies: {
      keys: options.cookieKeys,
      names: { session: 'nig_sso', interaction: 'nig_sso_interaction', resume: 'nig_sso_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    scopes: ['openid', 'offline_access', 'profile', 'phone', 'email'],
    // `acr` with every ID token, asked for or not: relying parties always learn the level the person signed in at.
    claims: { acr: null, auth_time: null, sid: null, ...SCOPE_CLAIMS, openid: [...SCOPE_CLAIMS.openid, 'acr'] },
    acrValues: [...ACR_VALUES],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic' },
    extraClientMetadata: { properties: ['allowed_levels', 'graph_access'] },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'], userinfoSigningAlgValues: ['ES256'], authorizationSigningAlgValues: ['ES256'], introspectionSigningAlgValues: ['ES256'] },
    // Every client, confidential or not, proves the code is its own (RFC 7636, S256: the only method oidc-provider knows).
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: {
        enabled: true,
        // A relying party revokes only what was issued to it (RFC 7009 §2.1): another's token is refused (a public
        // client's silently). Revoking a refresh token revokes its grant, and the grant's graph tokens with it (oidc-store.ts).
        allowedPolicy: async (_ctx: AnyObject, client: AnyObject, token: AnyObject) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: AnyObject, form: string) => { ctx.type = 'html'; ctx.body = logoutPage(options.languageOf(ctx), form); },
        postLogoutSuccessSource: async (ctx: AnyObject) => { ctx.type = 'html'; ctx.body = signedOutPage(options.languageOf(ctx)); },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: AnyObject, _client: AnyObject, oneOf?: string[]) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: AnyObject, resource: string, client: AnyObject) => {
          if (resource !== graphAudience || client.graph_access !== true) throw new errors.InvalidTarget();
          return {
            scope: GRAPH_SCOPE, audience: graphAudience, accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS, accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256', kid: options.signingJwk.kid } },
          };
        },
      },
    },
    // The level the graph reads from an access token for it: the account's level when the token is issued, capped by
    // the level of the sign-in its code or refresh token came from (an upstream provider may have asserted less than
    // the account holds). And the grant it was issued under, which the graph's verifiers refuse once it has ended
    // (revoked by the person, a token of it revoked, a sign-out: oidc-store.ts announces it).
    extraTokenClaims: async (ctx: AnyObject, token: AnyObject) => {
      if (token.kind !== 'AccessToken' || token.resourceServer?.audience !== graphAudience) return undefined;
      const account = await accounts.findOneBy({ id: token.accountId });
      if (!account) return undefined;
      const source = ctx?.oidc?.entities?.AuthorizationCode ?? ctx?.oidc?.entities?.RefreshToken;
      const signedInAt = levelOfAcr(source?.acr) ?? 1;
      return { acr: acrOfLevel(Math.min(levelOf(account), signedInAt) as 1 | 2), [GRANT_ID_CLAIM]: token.grantId };
    },
    findAccount: async (_ctx: AnyObject, sub: string) => {
      const account = /^[0-9a-f-]{36}$/i.test(sub) ? await accounts.findOneBy({ id: sub }) : null;
      // A suspended or revoked account signs in nowhere: its codes, refresh tokens and userinfo stop working.
      if (!account || !canLogIn(account.status)) return undefined;
      return {
        accountId: account.id,
        claims: async () => ({
          sub: account.id,
          name: account.fullName,
          birthdate: account.dateOfBirth ?? undefined,
          gender: genderClaim(account.gender),
          phone_number: account.phone,
          phone_number_verified: true,
          email: account.email ?? undefined,
          // Addresses are given at registration and not confirmed by a code.
          email_verified: account.email ? false : undefined,
        }),
      };
    },
    interactions: { policy, url: async (_ctx: AnyObject, interaction: AnyObject) => `${OIDC_MOUNT_PATH}/interaction/${interaction.uid}` },
    // A refresh token for every client registered for it; without `offline_access` (asked with prompt=consent) it
    // ends with the sign-in session (logout ends it).
    issueRefreshToken: async (_ctx: AnyObject, client: AnyObject) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: ACCESS_TOKEN_TTL_SECONDS,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 30 * 60,
      Session: 12 * 3600,
      Grant: 14 * 24 * 3600,
    },
    renderError: async (ctx: AnyObject, out: AnyObject) => {
      ctx.type = 'html';
      ctx.body = errorPage(options.languageOf(ctx), typeof out.error_description === 'string' ? out.error_description : out.error);
    },
  });
  provider.proxy = options.trustProxy;
  // Client secrets are stored as salted HMACs (partners/partner-secret.ts), never as given: compare against the hash.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret?: string }, actual: string) {
    return Promise.resolve(typeof actual === 'string' && !!this.clientSecret && verifyClientSecret(actual, this.clientSecret));
  };
  provider.on('server_error', (_ctx: unknown, error: Error) => log.error('single sign-on: provider error', { error: error.message }));
  return provider;
}
