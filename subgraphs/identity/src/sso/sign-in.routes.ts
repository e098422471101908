import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import express, { type Express, type Request, type Response } from 'express';
import type { AnyObject, InteractionDetails, Provider } from 'oidc-provider';
import type { DataSource } from 'typeorm';
import { acrOfLevel, DomainError, maskPersonalData, Role, type Logger } from '../../../shared/src';
import { Account, AssuranceLevel } from '../accounts/account.entity';
import { canLogIn } from '../accounts/account-status';
import type { AccountService } from '../accounts/account.service';
import type { OtpService } from '../otp/otp.service';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import type { OidcStore } from './oidc-store';
import { OIDC_MOUNT_PATH, requiredLevel } from './provider';
import { consentPage, errorPage, levelRefusedPage, loginPage, otpPage, type FormContext } from './sign-in.pages';
import type { SignInLog } from './sign-in.log';
import type { ErrorKey, Language } from './sign-in.texts';
import { UpstreamProvider, type UpstreamAttempt, type UpstreamIdentity } from './upstream';

/** Where a sign-in stands, kept with the provider's artefacts (model `SignIn`, keyed by the interaction's uid). */
interface SignInState {
  csrf: string;
  step: 'password' | 'otp' | 'refused';
  challengeId?: string;
  accountId?: string;
  /** What the login page says on its next showing: how a sign-in through the upstream provider ended. */
  notice?: ErrorKey;
  /** Refused because the upstream provider confirmed a level-2 account at level 1 only (not because of the account's level). */
  upstreamLevelOnly?: boolean;
}

/** A sign-in through the upstream provider, between the redirect there and its callback (model `UpstreamSignIn`, keyed by its `state`). */
interface PendingUpstream extends UpstreamAttempt {
  /** The interaction it will finish. */
  uid: string;
  /** The value of this browser's binding cookie: a callback from another browser (a code planted in someone's session) is refused. */
  binding: string;
}

const STATE_MODEL = 'SignIn';
const UPSTREAM_MODEL = 'UpstreamSignIn';
const LANGUAGE_COOKIE = 'nig_sso_lang';
const UPSTREAM_COOKIE = 'nig_sso_upstream';
/** Where the upstream provider sends people back (registered with it as `<OIDC_ISSUER>/upstream/callback`). */
export const UPSTREAM_CALLBACK_PATH = '/upstream/callback';
/** How long a sign-in through the upstream may take (within the interaction's own 30 minutes). */
const UPSTREAM_ATTEMPT_SECONDS = 10 * 60;

/** The status of the login page that shows a notice: refusals are 403, a failure 400, a cancellation is just the page again. */
function noticeStatus(notice: ErrorKey | undefined): number {
  if (!notice || notice === 'UPSTREAM_CANCELLED') return 200;
  return notice === 'UPSTREAM_FAILED' ? 400 : 403;
}

export interface SignInDependencies {
  provider: () => Provider;
  store: OidcStore;
  db: DataSource;
  accounts: AccountService;
  otp: OtpService;
  postalPoints: PostalPointDirectory;
  log: Logger;
  /** OIDC_TRUST_PROXY: one TLS-terminating proxy in front, whose X-Forwarded-For entry names the client. */
  trustProxy: boolean;
  /** Sign-ins refused for their level go to the person's access log (sign-ins that succeed are recorded by the store). */
  signIns: SignInLog;
  /** The upstream provider (VNeID) people may sign in with; none when UPSTREAM_OIDC_* is not configured. */
  upstream?: UpstreamProvider;
}

/**
 * The address login attempts are counted under. Behind the one trusted proxy, the entry it appended (the last); a
 * client cannot choose it by sending its own X-Forwarded-For. Without a proxy, the socket's peer.
 */
export function clientIpOf(req: Request, trustProxy: boolean): string {
  const forwarded = req.header('x-forwarded-for');
  if (trustProxy && forwarded) return forwarded.split(',').at(-1)!.trim() || 'unknown';
  return req.socket.remoteAddress ?? 'unknown';
}

/** The language of a request: an explicit choice (query, form, cookie), else the relying party's `ui_locales`, else Vietnamese. */
export function languageOf(req: { query?: AnyObject; body?: AnyObject; headers: AnyObject }, uiLocales?: unknown): Language {
  const chosen = req.query?.lang ?? req.body?.lang ?? cookieValue(req.headers.cookie, LANGUAGE_COOKIE);
  if (chosen === 'en' || chosen === 'vi') return chosen;
  if (typeof uiLocales === 'string' && /^en\b/i.test(uiLocales.trim())) return 'en';
  return 'vi';
}

function cookieValue(header: unknown, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** How a refusal of the graph's login code reads on the page (one answer for wrong username and wrong password). */
function errorKeyOf(error: unknown): { key: ErrorKey; detail?: string } {
  if (!(error instanceof DomainError)) throw error;
  const code = error.extensions.code;
  const reason = (error.extensions as AnyObject).reason;
  switch (code) {
    case 'UNAUTHENTICATED': return { key: 'WRONG_CREDENTIALS' };
    case 'RATE_LIMITED': return { key: 'RATE_LIMITED' };
    case 'FORBIDDEN': return { key: 'CANNOT_SIGN_IN' };
    case 'SERVICE_UNAVAILABLE': return { key: 'UNAVAILABLE' };
    default:
      if (reason === 'OTP_EXPIRED') return { key: 'OTP_EXPIRED' };
      if (reason === 'OTP_USED' || reason === 'OTP_UNKNOWN_CHALLENGE') return { key: 'OTP_USED' };
      if (reason === 'OTP_INVALID') return { key: 'OTP_INVALID', detail: String(error.message.match(/\d+ attempt\(s\) left/)?.[0] ?? '') };
      return { key: 'UNAVAILABLE' };
  }
}

/**
 * The sign-in pages (server-rendered, no script): username and password, then the code sent by SMS, then consent
 * (the claims the relying party will receive), then back to the relying party. Password and code go through the
 * graph's own login (AccountService.login / verifySignInCode): the same lockout and the same limits, counted in the
 * same Redis keys. Each form is bound to its interaction twice: the interaction cookie oidc-provider checks for the
 * uid in the address, and a random token of the interaction that every POST must carry.
 */
export function registerSignInRoutes(app: Express, deps: SignInDependencies): void {
  const { store } = deps;
  const base = `${OIDC_MOUNT_PATH}/interaction`;
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  const loadState = async (uid: string): Promise<SignInState | undefined> => (await store.findBy(STATE_MODEL, 'id', uid)) as SignInState | undefined;
  const saveState = (details: Pick<InteractionDetails, 'uid' | 'exp'>, state: SignInState) =>
    store.upsert(STATE_MODEL, details.uid, { ...state }, Math.max(1, details.exp - Math.floor(Date.now() / 1000)));
  /** Whether the browser reached us over TLS (behind the trusted proxy: as it says), for the cookies this file sets itself. */
  const overTls = (req: Request) => (deps.trustProxy
    ? req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https'
    : (req.socket as TLSSocket).encrypted === true);

  const send = (res: Response, html: string, status = 200) => {
    res.status(status)
      .set({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      })
      .send(html);
  };

  /** The interaction this browser is in (its cookie must match the uid), or the error page. */
  const interactionOf = async (req: Request, res: Response): Promise<InteractionDetails | null> => {
    try {
      const details = await deps.provider().interactionDetails(req, res);
      if (details.uid !== req.params.uid) throw new Error('uid mismatch');
      return details;
    } catch {
      send(res, errorPage(languageOf(req)), 400);
      return null;
    }
  };

  const contextOf = async (req: Request, details: InteractionDetails, state: SignInState): Promise<FormContext> => {
    const lang = languageOf(req, details.params.ui_locales);
    const client = await deps.provider().Client.find(String(details.params.client_id));
    return {
      lang, csrf: state.csrf, action: `${base}/${details.uid}`, relyingParty: client?.clientName ?? String(details.params.client_id),
      languageHref: `${base}/${details.uid}?lang=${lang === 'vi' ? 'en' : 'vi'}`, upstream: deps.upstream?.name,
    };
  };

  const refusalPage = async (req: Request, details: InteractionDetails, state: SignInState) => {
    const account = state.accountId ? await deps.db.getRepository(Account).findOneBy({ id: state.accountId }) : null;
    const code = account?.verificationPostalPointCode;
    const found = code ? await deps.postalPoints.find(code).catch(() => null) : null;
    return levelRefusedPage({
      ...(await contextOf(req, details, state)), postalPoint: code ? { code, name: found?.name } : null,
      upstreamLevelOnly: state.upstreamLevelOnly ? deps.upstream?.name ?? 'VNeID' : undefined,
    });
  };

  app.get(`${base}/:uid`, async (req, res, next) => {
    try {
      const details = await interactionOf(req, res);
      if (!details) return;
      if (req.query.lang === 'en' || req.query.lang === 'vi') res.cookie(LANGUAGE_COOKIE, req.query.lang, { httpOnly: true, sameSite: 'lax', path: OIDC_MOUNT_PATH });
      let state = await loadState(details.uid);
      if (!state) {
        state = { csrf: randomBytes(32).toString('base64url'), step: 'password' };
        await saveState(details, state);
      }
      const context = await contextOf(req, details, state);
      if (details.prompt.name === 'consent') {
        const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
        return send(res, consentPage({ ...context, scopes }));
      }
      if (state.step === 'refused') return send(res, await refusalPage(req, details, state), 403);
      if (state.step === 'otp') return send(res, otpPage({ ...context, resent: req.query.resent === '1' }));
      return send(res, loginPage({ ...context, error: state.notice }), noticeStatus(state.notice));
    } catch (error) { next(error); }
  });

  /** Every POST: the interaction of this browser, its state, and the form's token. */
  const post = (step: string, handle: (req: Request, res: Response, details: InteractionDetails, state: SignInState) => Promise<void>) => {
    app.post(`${base}/:uid/${step}`, form, async (req, res, next) => {
      try {
        const details = await interactionOf(req, res);
        if (!details) return;
        const state = await loadState(details.uid);
        if (!state || !sameToken(req.body?.csrf, state.csrf)) return send(res, errorPage(languageOf(req, details.params.ui_locales), undefined), 403);
        await handle(req, res, details, state);
      } catch (error) { next(error); }
    });
  };

  post('login', async (req, res, details, state) => {
    const context = await contextOf(req, details, state);
    const username = typeof req.body.username === 'string' ? req.body.username : '';
    const password = typeof req.body.password === 'string' ? req.body.password : '';
    if (!username.trim() || !password) return send(res, loginPage({ ...context, username, error: 'MISSING' }), 400);
    try {
      const challenge = await deps.accounts.login(username, password, clientIpOf(req, deps.trustProxy));
      await saveState(details, { ...state, step: 'otp', challengeId: challenge.challengeId, notice: undefined });
      res.redirect(303, `${base}/${details.uid}`);
    } catch (error) {
      const { key } = errorKeyOf(error);
      send(res, loginPage({ ...context, username, error: key }), key === 'RATE_LIMITED' ? 429 : 401);
    }
  });

  post('resend', async (req, res, details, state) => {
    if (state.step !== 'otp' || !state.challengeId) return res.redirect(303, `${base}/${details.uid}`);
    try {
      await deps.otp.resend(state.challengeId);
      res.redirect(303, `${base}/${details.uid}?resent=1`);
    } catch (error) {
      const { key, detail } = errorKeyOf(error);
      send(res, otpPage({ ...(await contextOf(req, details, state)), error: key, errorDetail: detail }), 429);
    }
  });

  post('otp', async (req, res, details, state) => {
    if (state.step !== 'otp' || !state.challengeId) return res.redirect(303, `${base}/${details.uid}`);
    const code = typeof req.body.code === 'string' ? req.body.code.trim() : '';
    let account: Account;
    try {
      account = await deps.accounts.verifySignInCode(state.challengeId, code);
    } catch (error) {
      const { key, detail } = errorKeyOf(error);
      // A spent or exhausted challenge cannot be retried: back to the password.
      const restart = key === 'OTP_USED' || key === 'RATE_LIMITED' || key === 'CANNOT_SIGN_IN';
      if (restart) await saveState(details, { csrf: state.csrf, step: 'password' });
      const context = await contextOf(req, details, state);
      return send(res, restart ? loginPage({ ...context, error: key }) : otpPage({ ...context, error: key, errorDetail: detail }), key === 'RATE_LIMITED' ? 429 : 400);
    }
    const client = await deps.provider().Client.find(String(details.params.client_id));
    const level = account.level === AssuranceLevel.LEVEL_2 ? 2 : 1;
    if (level < requiredLevel(details.params.acr_values, client?.allowed_levels)) {
      const refused: SignInState = { ...state, step: 'refused', accountId: account.id, challengeId: undefined };
      await deps.signIns.levelRefused(deps.db.manager, { accountId: account.id, clientId: String(details.params.client_id), requestedScope: details.params.scope });
      await saveState(details, refused);
      return send(res, await refusalPage(req, details, refused), 403);
    }
    await deps.provider().interactionFinished(req, res, { login: { accountId: account.id, acr: acrOfLevel(level), amr: ['pwd', 'otp'], remember: false } }, { mergeWithLastSubmission: false });
  });

  post('consent', async (req, res, details) => {
    if (details.prompt.name !== 'consent' || !details.session) return void send(res, errorPage(languageOf(req, details.params.ui_locales)), 400);
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
      missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]>;
    };
    const { Grant } = deps.provider();
    const grant = (details.grantId ? await Grant.find(details.grantId) : undefined)
      ?? new Grant({ accountId: details.session.accountId, clientId: String(details.params.client_id) });
    if (missingOIDCScope?.length) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims?.length) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await deps.provider().interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  /** Back to the password from a refusal that the account's own level did not cause (the upstream's level did). */
  post('retry', async (_req, res, details, state) => {
    if (state.step === 'refused' && state.upstreamLevelOnly) await saveState(details, { csrf: state.csrf, step: 'password' });
    res.redirect(303, `${base}/${details.uid}`);
  });

  /**
   * Sign-in through the upstream provider, step one: a fresh state, nonce and PKCE verifier kept here (server-side,
   * single use, keyed by the state), a cookie binding the attempt to this browser, and the redirect there.
   */
  post('upstream', async (req, res, details, state) => {
    const upstream = deps.upstream;
    if (!upstream || state.step === 'refused') return res.redirect(303, `${base}/${details.uid}`);
    const client = await deps.provider().Client.find(String(details.params.client_id));
    const needed = requiredLevel(details.params.acr_values, client?.allowed_levels);
    const attempt: PendingUpstream = { ...UpstreamProvider.newAttempt(), uid: details.uid, binding: randomBytes(32).toString('base64url') };
    let destination: URL;
    try {
      destination = await upstream.authorizationUrl(attempt, needed);
    } catch (error) {
      deps.log.warn('single sign-on: the upstream provider cannot be reached', { upstream: upstream.name, error: (error as Error).message });
      return send(res, loginPage({ ...(await contextOf(req, details, state)), error: 'UNAVAILABLE' }), 503);
    }
    const seconds = Math.max(1, Math.min(UPSTREAM_ATTEMPT_SECONDS, details.exp - Math.floor(Date.now() / 1000)));
    await store.upsert(UPSTREAM_MODEL, attempt.state, { ...attempt }, seconds);
    res.cookie(UPSTREAM_COOKIE, attempt.binding, {
      httpOnly: true, sameSite: 'lax', secure: overTls(req), path: `${OIDC_MOUNT_PATH}${UPSTREAM_CALLBACK_PATH}`, maxAge: seconds * 1000,
    });
    res.redirect(303, destination.href);
  });

  /**
   * Step two, the upstream's callback (outside the interaction's path, so its cookie does not come: the attempt names
   * the interaction, and the binding cookie the browser). The state is spent whatever follows. Its code is exchanged,
   * the ID token validated, and the person it names matched to their account by personal identification number (the
   * lookup activation uses). The session's level is the lower of what the upstream asserts and the account's own, and
   * must reach the relying party's as a password sign-in's must. Then the interaction is finished like the password
   * flow finishes it. A state that is unknown, spent or from another browser gets the error page: nobody is signed in.
   */
  app.get(`${OIDC_MOUNT_PATH}${UPSTREAM_CALLBACK_PATH}`, async (req, res, next) => {
    try {
      const lang = languageOf(req);
      res.clearCookie(UPSTREAM_COOKIE, { path: `${OIDC_MOUNT_PATH}${UPSTREAM_CALLBACK_PATH}` });
      const upstream = deps.upstream;
      const stateValue = typeof req.query.state === 'string' ? req.query.state : '';
      if (!upstream || !stateValue || stateValue.length > 200) return send(res, errorPage(lang), 400);
      const attempt = (await store.take(UPSTREAM_MODEL, stateValue)) as PendingUpstream | undefined;
      if (!attempt || !sameToken(cookieValue(req.headers.cookie, UPSTREAM_COOKIE), attempt.binding)) return send(res, errorPage(lang), 400);
      const interaction = await deps.provider().Interaction.find(attempt.uid);
      const state = interaction ? await loadState(interaction.uid) : undefined;
      if (!interaction || !state) return send(res, errorPage(lang), 400);
      const backToPage = async (nextState: SignInState) => {
        await saveState(interaction, nextState);
        res.redirect(303, `${base}/${interaction.uid}`);
      };
      const notice = (key: ErrorKey) => backToPage({ csrf: state.csrf, step: 'password', notice: key });

      if (typeof req.query.error === 'string') return notice(req.query.error === 'access_denied' ? 'UPSTREAM_CANCELLED' : 'UPSTREAM_FAILED');
      let identity: UpstreamIdentity;
      try {
        identity = await upstream.identify(new URLSearchParams(req.originalUrl.split('?')[1] ?? ''), attempt);
      } catch (error) {
        deps.log.warn('single sign-on: a sign-in through the upstream provider failed', { upstream: upstream.name, error: maskPersonalData((error as Error).message) });
        return notice('UPSTREAM_FAILED');
      }
      if (!identity.personalIdNumber) {
        deps.log.warn('single sign-on: the upstream provider named no personal identification number', { upstream: upstream.name });
        return notice('UPSTREAM_FAILED');
      }
      const account = await deps.db.getRepository(Account).findOne({ where: { personalIdNumber: identity.personalIdNumber } });
      if (!account) return notice('UPSTREAM_NO_ACCOUNT');
      if (!canLogIn(account.status) || account.role === Role.PARTNER_BANK) return notice('CANNOT_SIGN_IN');

      const accountLevel = account.level === AssuranceLevel.LEVEL_2 ? 2 : 1;
      const level = Math.min(accountLevel, identity.level) as 1 | 2;
      const client = await deps.provider().Client.find(String(interaction.params.client_id));
      const needed = requiredLevel(interaction.params.acr_values, client?.allowed_levels);
      if (level < needed) {
        await deps.signIns.levelRefused(deps.db.manager, { accountId: account.id, clientId: String(interaction.params.client_id), requestedScope: interaction.params.scope });
        return backToPage({ csrf: state.csrf, step: 'refused', accountId: account.id, upstreamLevelOnly: accountLevel >= needed });
      }
      interaction.result = { login: { accountId: account.id, acr: acrOfLevel(level), ...(identity.amr.length ? { amr: identity.amr } : {}), remember: false } };
      await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
      res.redirect(303, interaction.returnTo);
    } catch (error) { next(error); }
  });

  post('abort', async (_req, res, details, state) => {
    const result = state.step === 'refused'
      ? { error: 'unmet_authentication_requirements', error_description: 'the account does not have the assurance level the relying party requires' }
      : { error: 'access_denied', error_description: 'the person cancelled the sign-in' };
    await deps.provider().interactionFinished(_req, res, result, { mergeWithLastSubmission: false });
  });
}
