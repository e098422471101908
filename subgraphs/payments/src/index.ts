import 'reflect-metadata';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Cache, connectRedis, createLogger, createRedis, ResolverContainer, StreamConsumer, startRevocationList, startSubgraph, TokenVerifier, type Database, type Logger, type RunningService } from '../../shared/src';
import type { PaymentsConfig } from './config';
import type { PaymentsLoaders } from './context';
import { openPaymentsDatabase } from './database/data-source';
import { DossierPaymentsResolver, DossierResolver } from './dossiers/dossier.resolver';
import { CollectionService } from './collections/collection.service';
import { AccountPaymentsResolver, PaymentResolver } from './collections/collection.resolver';
import { createPaidForDossierLoader, createPaymentLoader } from './collections/payment.loader';
import { dossierFactsHandler } from './collections/dossier-facts.handler';
import { createFeeScheduleLoader, FEE_SCHEDULE_CACHE, type CachedFeeSchedule } from './fee-schedules/fee-schedule.loader';
import { createPostalPointLoader, POSTAL_POINT_CACHE, type CachedPostalPoint } from './postal-points/postal-point.loader';
import { PostalPointResolver } from './postal-points/postal-point.resolver';
import { PostalPointService } from './postal-points/postal-point.service';
import { PublicServiceResolver } from './public-services/public-service.resolver';
import { ReconciliationResolver } from './reconciliation/reconciliation.resolver';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { RemittanceResolver } from './reconciliation/remittance.resolver';
import { RemittanceService } from './reconciliation/remittance.service';
import { registerReportRoutes } from './reconciliation/report.routes';
import { SettlementBatchResolver } from './settlement/settlement.resolver';
import { SettlementService } from './settlement/settlement.service';
import { buildPaymentsSchema } from './schema';

export interface RunningPayments extends RunningService { database: Database }

/** Starts the payments subgraph; returns its URL (tests start it in-process). */
export async function startPayments(config: PaymentsConfig, overrides: { log?: Logger } = {}): Promise<RunningPayments> {
  const production = config.NODE_ENV === 'production';
  const log = overrides.log ?? createLogger({ service: 'payments', level: config.LOG_LEVEL });
  const redis = await connectRedis(config.REDIS_URL, log, 'payments');
  const database = await openPaymentsDatabase(config.DATABASE_URL, log);
  const revocations = await startRevocationList(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX, log, name: 'payments-revocations' });
  const cacheOptions = { log, keyPrefix: config.REDIS_KEY_PREFIX };
  const postalPointCache = new Cache<CachedPostalPoint>(redis, POSTAL_POINT_CACHE.family, { ...cacheOptions, ttlSeconds: POSTAL_POINT_CACHE.ttlSeconds });
  const feeScheduleCache = new Cache<CachedFeeSchedule>(redis, FEE_SCHEDULE_CACHE.family, { ...cacheOptions, ttlSeconds: FEE_SCHEDULE_CACHE.ttlSeconds });
  const collections = new CollectionService(database.dataSource, log);
  const container = new ResolverContainer()
    .register(new PostalPointResolver(new PostalPointService(database.dataSource, postalPointCache, log)))
    .register(new PublicServiceResolver())
    .register(new DossierResolver())
    .register(new DossierPaymentsResolver(collections))
    .register(new PaymentResolver(collections))
    .register(new AccountPaymentsResolver(collections))
    .register(new RemittanceResolver(new RemittanceService(database.dataSource, log)))
    .register(new ReconciliationResolver(new ReconciliationService(database.dataSource)))
    .register(new SettlementBatchResolver(new SettlementService(database.dataSource, log)));
  // What documents tells of dossiers (what they owe, who pays, cash on delivery handed to postmen) is kept here.
  const events = config.REDIS_URL
    ? new StreamConsumer(createRedis(config.REDIS_URL, log, 'payments-events', { blocking: true }), {
      source: 'documents', group: 'payments', consumer: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, keyPrefix: config.REDIS_KEY_PREFIX, log,
    }, dossierFactsHandler(database.dataSource, log))
    : undefined;

  const verifier = new TokenVerifier({ jwksUrl: config.IDENTITY_JWKS_URL }, config.JWT_ISSUER, {
    revocations, relyingParties: config.OIDC_ISSUER ? { issuer: config.OIDC_ISSUER, audience: config.GRAPH_AUDIENCE } : undefined,
  });
  const service = await startSubgraph<PaymentsLoaders>({
    name: 'payments', host: config.HOST, port: config.PAYMENTS_PORT, production, log, shutdownGraceMs: config.SHUTDOWN_GRACE_MS, metricsToken: config.METRICS_TOKEN,
    schema: await buildPaymentsSchema(),
    database, redis, container,
    gatewayPublicKey: config.GATEWAY_PUBLIC_KEY,
    // Refuses tokens of sessions and delegations identity has ended, from memory (shared/src/auth/revocations.ts).
    verifier,
    // The CSV exports verify the bearer token with the same verifier.
    routes: (app) => registerReportRoutes(app, { db: database.dataSource, verifier, log }),
    loaders: () => ({
      postalPoints: createPostalPointLoader(database.dataSource, postalPointCache),
      feeSchedules: createFeeScheduleLoader(database.dataSource, feeScheduleCache),
      payments: createPaymentLoader(database.dataSource),
      paidForDossier: createPaidForDossierLoader(collections),
    }),
    onStop: async () => { sweeping.stop(); await events?.stop(); await revocations.stop(); await database.dataSource.destroy(); redis?.disconnect(); },
  });
  events?.start();
  const sweeping = collections.startSweeping();
  return { ...service, database };
}
