import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Cache, connectRedis, createLogger, createRedis, OutboxRelay, RateLimiter, ResolverContainer, startRevocationList, startSubgraph, StreamConsumer, everyHandler, TokenVerifier, type Logger, type RunningService,
} from '../../shared/src';
import { createAccountLoader, type CachedAccount } from './accounts/account.loader';
import { AccountResolver } from './accounts/account.resolver';
import { AccountService } from './accounts/account.service';
import type { IdentityConfig } from './config';
import { IDENTITY_SCHEMA, openIdentityDatabase } from './database/data-source';
import { OtpService } from './otp/otp.service';
import { RegistrationService } from './registrations/registration.service';
import { GraphqlPostalPointDirectory, type PostalPointDirectory } from './postal-points/postal-point.directory';
import { buildIdentitySchema } from './schema';
import { AccountAccessLogResolver } from './access-log/access-log.resolver';
import { AccessLogService } from './access-log/access-log.service';
import { AccessLogRecorder } from './access-log/access-log.recorder';
import { dossierPartiesHandler } from './relations/dossier-parties.handler';
import { Housekeeping } from './housekeeping/housekeeping';
import { organisationActedHandler } from './relations/organisation-acted.handler';
import { createRelationsLoader, createStaffReadLog } from './accounts/personal-data';
import { ActivationResolver } from './activation/activation.resolver';
import { ActivationService } from './activation/activation.service';
import { CounterRegistrationService } from './activation/counter-registration.service';
import { IdentityQrResolver } from './qr/identity-qr.resolver';
import { IdentityQrService } from './qr/identity-qr.service';
import { QrPayloadCodec } from './qr/qr-payload';
import { SessionService } from './sessions/session.service';
import { SessionResolver } from './sessions/session.resolver';
import { SessionEvents } from './sessions/session.events';
import { AccountLifecycleResolver } from './accounts/account-lifecycle.resolver';
import { AccountLifecycleService } from './accounts/account-lifecycle.service';
import { PasswordResolver } from './passwords/password.resolver';
import { PasswordService } from './passwords/password.service';
import { generateSigningKeyPem, loadSigningKey, privateSigningJwk } from './sessions/signing-key';
import { DevSmsOutbox, HttpSmsSender, type SmsSender } from './sms/sms-sender';
import { normaliseMobile } from './accounts/registration-rules';
import type { Database } from '../../shared/src';
import { PartnerResolver } from './partners/partner.resolver';
import { PartnerService } from './partners/partner.service';
import { PartnerTokenSigner } from './partners/partner-token';
import { AccountConsentsResolver, ConsentResolver } from './consents/consent.resolver';
import { ConsentService } from './consents/consent.service';
import { VerificationResolver } from './ekyc/verification.resolver';
import { VERIFY_IDENTITY_FLOOR_MS, VerificationService } from './ekyc/verification.service';
import { ResponseFloor } from './ekyc/response-floor';
import { AccountActingForResolver, DelegationResolver, OrganisationActivityResolver, OrganisationResolver } from './organisations/organisation.resolver';
import { OrganisationService } from './organisations/organisation.service';
import { DelegationService } from './organisations/delegation.service';
import { ActingService } from './organisations/acting.service';
import { guardOrganisationActs, OrganisationActivityLog } from './organisations/organisation-activity';
import { createDelegationLoader, createOrganisationLoader } from './organisations/organisation.loader';
import { SingleSignOn } from './sso/single-sign-on';
import { RelyingPartyResolver } from './sso/relying-party.resolver';
import { RelyingPartyService } from './sso/relying-party.service';
import { ConnectedSystemResolver } from './sso/connected-system.resolver';

export interface RunningIdentity extends RunningService { database: Database }

/** Starts the identity subgraph; returns its URL (tests start it in-process). */
export async function startIdentity(
  config: IdentityConfig,
  overrides: { postalPoints?: PostalPointDirectory; log?: Logger; verifyPassword?: (password: string, stored: string) => Promise<boolean>; now?: () => Date; ekycFloor?: ResponseFloor } = {},
): Promise<RunningIdentity> {
  const production = config.NODE_ENV === 'production';
  const log = overrides.log ?? createLogger({ service: 'identity', level: config.LOG_LEVEL });
  const redis = await connectRedis(config.REDIS_URL, log, 'identity');
  const database = await openIdentityDatabase(config.DATABASE_URL, log);
  let pem = config.JWT_PRIVATE_KEY;
  if (!pem) {
    log.warn('JWT_PRIVATE_KEY is not set: using a temporary signing key; tokens will not survive a restart');
    pem = await generateSigningKeyPem();
  }
  const key = await loadSigningKey(pem, config.JWT_RETIRED_PUBLIC_KEYS);
  const outbox = production ? undefined : new DevSmsOutbox(log);
  const sms: SmsSender = config.SMS_GATEWAY_URL ? new HttpSmsSender(config.SMS_GATEWAY_URL, config.SMS_GATEWAY_TOKEN) : outbox!;
  const limiter = new RateLimiter(redis, config.REDIS_KEY_PREFIX, 'identity');
  const accountCache = new Cache<CachedAccount>(redis, 'identity:account:v2', { ttlSeconds: 300, log, keyPrefix: config.REDIS_KEY_PREFIX });
  let otpSecret = config.OTP_HMAC_SECRET;
  if (!otpSecret) {
    log.warn('OTP_HMAC_SECRET is not set: using a temporary one; codes sent before a restart stop working, and replicas must share one');
    otpSecret = randomBytes(32).toString('base64url');
  }
  const otp = new OtpService(database.dataSource, sms, limiter, otpSecret, undefined, log);
  // Ended sessions and delegations (shared/src/auth/revocations.ts): announced through identity's outbox and relay,
  // refused by every verifier that reads the stream, identity's own included. The replica that ends a session also
  // notes it in its own list as its transaction commits, so identity refuses the token at once; other replicas, and
  // every other subgraph and the gateway, within a second (the relay's round, then XREAD).
  const revocations = await startRevocationList(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX, log, name: 'identity-revocations' });
  const sessionEvents = new SessionEvents(IDENTITY_SCHEMA, { db: database.dataSource, list: revocations });
  const relay = new OutboxRelay(database.dataSource, redis, { schema: IDENTITY_SCHEMA, subgraph: 'identity', keyPrefix: config.REDIS_KEY_PREFIX, log });
  const sessions = new SessionService(database.dataSource, key, config.JWT_ISSUER, undefined, sessionEvents);
  const accounts = new AccountService(database.dataSource, otp, sessions, limiter, { loginAttemptsPerIp: config.LOGIN_ATTEMPTS_PER_IP }, overrides.verifyPassword);
  const postalPoints = overrides.postalPoints ?? new GraphqlPostalPointDirectory(config.PAYMENTS_URL);
  const registrations = new RegistrationService(database.dataSource, otp, sms, postalPoints, limiter, log, { registrationsPerIp: config.REGISTRATIONS_PER_IP });
  const accessLog = new AccessLogService(database.dataSource);
  const accessRecorder = new AccessLogRecorder();
  const activation = new ActivationService(database.dataSource, accountCache, postalPoints, accessRecorder, log);
  const container = new ResolverContainer()
    .register(new AccountResolver(accounts, registrations, sessions, otp))
    .register(new AccountAccessLogResolver(accessLog))
    .register(new AccountLifecycleResolver(new AccountLifecycleService(database.dataSource, sessions, accessRecorder, accountCache, limiter, log)))
    .register(new PasswordResolver(new PasswordService(database.dataSource, otp, sessions, limiter, accountCache, log, overrides.verifyPassword)))
    .register(new SessionResolver(sessions))
    .register(new ActivationResolver(activation, new CounterRegistrationService(database.dataSource, otp, postalPoints, activation, accountCache, log)));

  // Identity QR codes are signed with the token key under their own `typ`; `now` lets tests move their 60 seconds.
  container.register(new IdentityQrResolver(new IdentityQrService(database.dataSource, new QrPayloadCodec(key), accessRecorder, overrides.now, { limiter })));

  // Organisations and delegations: acting for an organisation is an access token with the `act_for` claim, signed like every token.
  const organisationActivity = new OrganisationActivityLog(database.dataSource, overrides.now);
  const delegations = new DelegationService(database.dataSource, organisationActivity, overrides.now, sessionEvents);
  container
    .register(new OrganisationResolver(
      new OrganisationService(database.dataSource, organisationActivity, overrides.now), delegations, organisationActivity,
      new ActingService(database.dataSource, sessions, organisationActivity, overrides.now),
    ))
    .register(new DelegationResolver(delegations))
    .register(new OrganisationActivityResolver(delegations))
    .register(new AccountActingForResolver());

  // Partners and consent (eKYC): partner tokens are signed with the same key as every token; every verifyIdentity
  // answers no sooner than the floor, so its timing says nothing of whom it found.
  const consents = new ConsentService(database.dataSource);
  container
    .register(new PartnerResolver(new PartnerService(database.dataSource, limiter, new PartnerTokenSigner(key, config.JWT_ISSUER))))
    .register(new ConsentResolver(consents))
    .register(new AccountConsentsResolver(consents))
    .register(new VerificationResolver(new VerificationService(
      database.dataSource, limiter, overrides.ekycFloor ?? new ResponseFloor(VERIFY_IDENTITY_FLOOR_MS), { checksPerMinute: config.PARTNER_CHECKS_PER_MINUTE },
    )));

  // Single sign-on (sso/): the OpenID Connect provider under /oidc, signing with the graph's key, signing people in
  // through the graph's own login (or an upstream provider, VNeID, when configured); relying parties are registered
  // through the graph. Sign-ins go to the person's access log; grants that end are announced like ended sessions.
  const sso = new SingleSignOn({
    issuer: config.OIDC_ISSUER, graphAudience: config.GRAPH_AUDIENCE, signingJwk: privateSigningJwk(pem, key.kid), cookieKeys: config.OIDC_COOKIE_KEYS,
    trustProxy: config.OIDC_TRUST_PROXY, db: database.dataSource, accounts, otp, postalPoints, log, recorder: accessRecorder, revocations: sessionEvents,
    upstream: config.UPSTREAM_OIDC_ISSUER && config.UPSTREAM_OIDC_CLIENT_ID ? {
      issuer: config.UPSTREAM_OIDC_ISSUER, clientId: config.UPSTREAM_OIDC_CLIENT_ID, clientSecret: config.UPSTREAM_OIDC_CLIENT_SECRET,
      name: config.UPSTREAM_OIDC_NAME, pinClaim: config.UPSTREAM_OIDC_PIN_CLAIM, scope: config.UPSTREAM_OIDC_SCOPE,
    } : undefined,
  });
  container
    .register(new RelyingPartyResolver(new RelyingPartyService(database.dataSource, () => sso.issuer)))
    .register(new ConnectedSystemResolver(sso.connectedSystems));

  // What documents tells of dossiers (who applied, which agency, which postal point) becomes relations here.
  const events = config.REDIS_URL
    ? new StreamConsumer(createRedis(config.REDIS_URL, log, 'identity-events', { blocking: true }), {
      source: 'documents', group: 'identity', consumer: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, keyPrefix: config.REDIS_KEY_PREFIX, log,
    }, everyHandler(dossierPartiesHandler(database.dataSource, log), organisationActedHandler(database.dataSource, log)))
    : undefined;
  const housekeeping = new Housekeeping(database.dataSource, log);
  const service = await startSubgraph({
    name: 'identity', host: config.HOST, port: config.IDENTITY_PORT, production, log, shutdownGraceMs: config.SHUTDOWN_GRACE_MS, metricsToken: config.METRICS_TOKEN,
    // Every identity mutation sent with a token that acts for an organisation is checked and recorded (organisation-activity.ts).
    schema: guardOrganisationActs(await buildIdentitySchema(), organisationActivity),
    database, redis, container,
    gatewayPublicKey: config.GATEWAY_PUBLIC_KEY,
    // Identity verifies its own tokens with its own key: no HTTP round trip to itself; it also reads their session (`sid`).
    verifier: new TokenVerifier({ jwks: key.jwks }, config.JWT_ISSUER, { revocations, relyingParties: sso.relyingPartyTokens }),
    loaders: () => ({
      accounts: createAccountLoader(database.dataSource, accountCache),
      relations: createRelationsLoader(database.dataSource),
      staffReads: createStaffReadLog(database.dataSource, accessRecorder),
      organisations: createOrganisationLoader(database.dataSource, overrides.now),
      delegations: createDelegationLoader(database.dataSource, overrides.now),
    }),
    routes: (app) => {
      app.get('/.well-known/jwks.json', (_req, res) => { res.setHeader('cache-control', 'public, max-age=300'); res.json(key.jwks); });
      // The provider publishes the graph's JWKS itself, retired keys included: tokens signed before a rotation still verify.
      app.get('/oidc/jwks', (_req, res) => { res.setHeader('cache-control', 'public, max-age=300'); res.type('application/jwk-set+json').send(JSON.stringify(key.jwks)); });
      sso.mount(app);
      // The development SMS outbox; it does not exist when NODE_ENV=production.
      if (outbox) {
        app.get('/dev/sms', (req, res) => {
          const phone = typeof req.query.phone === 'string' ? normaliseMobile(req.query.phone) ?? req.query.phone : undefined;
          res.json({ messages: outbox.list(phone) });
        });
      }
    },
    onStop: async () => { sso.stop(); housekeeping.stop(); await events?.stop(); await relay.stop(); await revocations.stop(); await database.dataSource.destroy(); redis?.disconnect(); },
  });
  sso.start(service.url);
  events?.start();
  housekeeping.start();
  relay.start();
  return { ...service, database };
}
