import * as oidc from 'openid-client';
import { ACR_LEVEL_1, ACR_LEVEL_2, levelOfAcr, type AssuranceLevel } from '../../../shared/src';

/**
 * An upstream OpenID Connect provider (VNeID, the Ministry of Public Security's national electronic identity) that
 * people may sign in with instead of their password: identity is its relying party (authorization code flow with
 * PKCE, state and nonce), and the person it vouches for is matched to their account by personal identification
 * number. Configured by the UPSTREAM_OIDC_* settings (config.ts); unset, there is none.
 */
export interface UpstreamSettings {
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE alone). */
  clientSecret?: string;
  /** The button's label: "Đăng nhập bằng <name>". */
  name: string;
  /** The claim (ID token, else userinfo) holding the person's 12-digit personal identification number. */
  pinClaim: string;
  /** Asked of the upstream; `openid` at least. */
  scope: string;
}

/** What a started upstream sign-in keeps until its callback (server-side, keyed by `state`; see sign-in.routes.ts). */
export interface UpstreamAttempt { state: string; nonce: string; codeVerifier: string }

/** What the upstream asserted of the person, once its code is exchanged and its ID token validated. */
export interface UpstreamIdentity {
  /** The personal identification number it names, if it is one (12 digits); never logged. */
  personalIdNumber: string | null;
  /** The level it asserts (its `acr`, read with assurance.ts); level 1 when it states none we know. */
  level: AssuranceLevel;
  amr: string[];
}

const PERSONAL_ID_NUMBER = /^[0-9]{12}$/;
const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export class UpstreamProvider {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(readonly settings: UpstreamSettings, private readonly callbackUrl: () => string) {}

  get name(): string { return this.settings.name; }

  /** A fresh state, nonce and PKCE verifier for one attempt. */
  static newAttempt(): UpstreamAttempt {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  /**
   * Where to send the browser. The levels the relying party accepts are asked of the upstream (`acr_values`, the
   * higher first), which also makes it state the level in the ID token (OpenID Connect Core §3.1.2.1); what it
   * asserts is checked at the callback all the same.
   */
  async authorizationUrl(attempt: UpstreamAttempt, neededLevel: AssuranceLevel): Promise<URL> {
    const config = await this.config();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl(), scope: this.settings.scope, state: attempt.state, nonce: attempt.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(attempt.codeVerifier), code_challenge_method: 'S256',
      acr_values: neededLevel === 2 ? ACR_LEVEL_2 : `${ACR_LEVEL_2} ${ACR_LEVEL_1}`,
    });
  }

  /**
   * Exchanges the callback's code (with the attempt's verifier) and validates the ID token (issuer, audience, expiry,
   * nonce; the state against the attempt's). Throws on anything wrong: a bad or reused code, a forged response.
   */
  async identify(callbackQuery: URLSearchParams, attempt: UpstreamAttempt): Promise<UpstreamIdentity> {
    const config = await this.config();
    // The address the upstream sent the browser to, as it knows it: the query from this request, the rest our public URL.
    const current = new URL(this.callbackUrl());
    current.search = callbackQuery.toString();
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: attempt.codeVerifier, expectedState: attempt.state, expectedNonce: attempt.nonce, idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    let pin: unknown = claims[this.settings.pinClaim];
    // Many providers release such claims at userinfo only (for the code flow, OpenID Connect Core §5.4).
    if (pin === undefined) pin = (await oidc.fetchUserInfo(config, tokens.access_token, claims.sub))[this.settings.pinClaim];
    return {
      personalIdNumber: typeof pin === 'string' && PERSONAL_ID_NUMBER.test(pin) ? pin : null,
      level: levelOfAcr(claims.acr) ?? 1,
      amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string').slice(0, 10) : [],
    };
  }

  /**
   * The upstream's metadata, discovered at first use and kept; a failure is forgotten, so the next attempt tries again.
   * Not at start: identity (and signing in with a password) works while the upstream cannot be reached.
   */
  private config(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      const { clientId, clientSecret } = this.settings;
      this.configuration = oidc.discovery(issuer, clientId, undefined, clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(), {
        timeout: 10,
        // Plain http only to this machine (development and the tests' upstream); config.ts refuses it anywhere else.
        ...(issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      this.configuration.catch(() => { this.configuration = undefined; });
    }
    return this.configuration;
  }
}
