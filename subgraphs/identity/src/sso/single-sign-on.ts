import { randomBytes } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Provider } from 'oidc-provider';
import type { DataSource, EntityManager } from 'typeorm';
import { grantEnded, type Logger, type RelyingPartyTokens, type RevocationEvent } from '../../../shared/src';
import type { AccessLogRecorder } from '../access-log/access-log.recorder';
import type { AccountService } from '../accounts/account.service';
import type { OtpService } from '../otp/otp.service';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import { ConnectedSystemService } from './connected-system.service';
import { OidcStore } from './oidc-store';
import { createSsoProvider, OIDC_MOUNT_PATH } from './provider';
import { SignInLog } from './sign-in.log';
import { languageOf, registerSignInRoutes, UPSTREAM_CALLBACK_PATH } from './sign-in.routes';
import { UpstreamProvider, type UpstreamSettings } from './upstream';

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
  /** The access log's recorder: every sign-in to a relying party is an entry of the person's log. */
  recorder: AccessLogRecorder;
  /** identity's announcements of ended sessions (sessions/session.events.ts): ended grants go the same way. */
  revocations: { write(manager: EntityManager, ...events: RevocationEvent[]): Promise<void> };
  /** The upstream provider (VNeID) people may sign in with; unset, the sign-in page offers none. */
  upstream?: UpstreamSettings;
}

/**
 * Single sign-on on the identity service: the OpenID Connect provider under /oidc (discovery at
 * /oidc/.well-known/openid-configuration), its sign-in pages, and its store in PostgreSQL.
 */
export class SingleSignOn {
  /** What verifiers need to accept relying parties' tokens for the graph; the issuer is filled in by `start`. */
  readonly relyingPartyTokens: RelyingPartyTokens;
  /** The systems people signed in to, as they list and revoke them (`me { connectedSystems }`, revokeConnectedSystem). */
  readonly connectedSystems: ConnectedSystemService;
  private readonly store: OidcStore;
  private readonly signIns: SignInLog;
  private readonly upstream: UpstreamProvider | undefined;
  private provider: Provider | undefined;
  private handler: ((req: Request, res: Response) => void) | undefined;

  constructor(private readonly options: SingleSignOnOptions) {
    this.signIns = new SignInLog(options.recorder);
    // In the store's own transactions: a code is saved with its access-log entry, a grant's artefacts deleted with the
    // announcement of its end (so the graph refuses its access tokens too).
    this.store = new OidcStore(options.db, options.log, {
      codeIssued: (manager, code) => this.signIns.codeIssued(manager, code),
      grantEnded: (manager, grantId) => options.revocations.write(manager, grantEnded(grantId)),
    });
    this.connectedSystems = new ConnectedSystemService(options.db, this.store);
    this.relyingPartyTokens = { issuer: options.issuer ?? '', audience: options.graphAudience };
    this.upstream = options.upstream ? new UpstreamProvider(options.upstream, () => `${this.issuer}${UPSTREAM_CALLBACK_PATH}`) : undefined;
  }

  get issuer(): string { return this.relyingPartyTokens.issuer; }

  /** Routes go in before the service listens; requests reach the provider once `start` has made it. */
  mount(app: Express): void {
    const { db, accounts, otp, postalPoints, log, trustProxy } = this.options;
    registerSignInRoutes(app, {
      provider: () => this.running(), store: this.store, db, accounts, otp, postalPoints, log, trustProxy, signIns: this.signIns, upstream: this.upstream,
    });
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
