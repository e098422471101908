import { randomBytes } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Provider } from 'oidc-provider';
import type { DataSource } from 'typeorm';
import type { Logger, RelyingPartyTokens } from '../../../shared/src';
import type { AccountService } from '../accounts/account.service';
import type { OtpService } from '../otp/otp.service';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import { OidcStore } from './oidc-store';
import { createSsoProvider, OIDC_MOUNT_PATH } from './provider';
import { languageOf, registerSignInRoutes } from './sign-in.routes';

export interface SingleSignOnOptions {
  /** Unset: the identity service's own address plus /oidc, known once it listens (development and tests). */
  issuer?: string;
  graphAudience: string;
  signingJwk: Record<string, unknown> & { kid?: string };
  cookieKeys?: string[];
  trustProxy: boolean;
  db: DataSource;
  accounts: AccountService;
  otp: OtpService;
  postalPoints: PostalPointDirectory;
  log: Logger;
}

/**
 * Single sign-on on the identity service: the OpenID Connect provider under /oidc (discovery at
 * /oidc/.well-known/openid-configuration), its sign-in pages, and its store in PostgreSQL.
 */
export class SingleSignOn {
  /** What verifiers need to accept relying parties' tokens for the graph; the issuer is filled in by `start`. */
  readonly relyingPartyTokens: RelyingPartyTokens;
  private readonly store: OidcStore;
  private provider: Provider | undefined;
  private handler: ((req: Request, res: Response) => void) | undefined;

  constructor(private readonly options: SingleSignOnOptions) {
    this.store = new OidcStore(options.db, options.log);
    this.relyingPartyTokens = { issuer: options.issuer ?? '', audience: options.graphAudience };
  }

  get issuer(): string { return this.relyingPartyTokens.issuer; }

  /** Routes go in before the service listens; requests reach the provider once `start` has made it. */
  mount(app: Express): void {
    const { db, accounts, otp, postalPoints, log, trustProxy } = this.options;
    registerSignInRoutes(app, { provider: () => this.running(), store: this.store, db, accounts, otp, postalPoints, log, trustProxy });
    app.use(OIDC_MOUNT_PATH, (req: Request, res: Response, next: NextFunction) => {
      if (!this.handler) return next();
      this.handler(req, res);
    });
  }

  start(serviceUrl: string): void {
    this.relyingPartyTokens.issuer ||= `${serviceUrl}${OIDC_MOUNT_PATH}`;
    let cookieKeys = this.options.cookieKeys;
    if (!cookieKeys?.length) {
      this.options.log.warn('OIDC_COOKIE_KEYS is not set: using a temporary key; sign-in sessions will not survive a restart, and replicas must share keys');
      cookieKeys = [randomBytes(32).toString('base64url')];
    }
    this.provider = createSsoProvider({
      issuer: this.issuer, graphAudience: this.options.graphAudience, signingJwk: this.options.signingJwk, cookieKeys,
      trustProxy: this.options.trustProxy, db: this.options.db, store: this.store, log: this.options.log,
      languageOf: (ctx) => languageOf({ query: ctx.query, headers: ctx.headers }, ctx.oidc?.params?.ui_locales),
    });
    this.handler = this.provider.callback();
    this.store.start();
  }

  stop(): void { this.store.stop(); }

  private running(): Provider {
    if (!this.provider) throw new Error('single sign-on has not started');
    return this.provider;
  }
}
