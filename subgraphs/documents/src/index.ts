import 'reflect-metadata';
import { Cache, connectRedis, OutboxRelay, OutboxWriter, createLogger, ResolverContainer, startRevocationList, startSubgraph, TokenVerifier, type Database, type Logger, type RunningService } from '../../shared/src';
import type { DocumentsConfig } from './config';
import type { DocumentsLoaders } from './context';
import { DOCUMENTS_SCHEMA, openDocumentsDatabase } from './database/data-source';
import { createAgencyLoader } from './agencies/agency.loader';
import { createDossierLoader } from './dossiers/dossier.loader';
import { AccountDossiersResolver, DossierResolver, PublicServiceAppointmentResolver } from './dossiers/dossier.resolver';
import { HolidayCalendar } from './dossiers/holiday-calendar';
import { OrganisationDossiersResolver } from './organisations/organisation-dossiers.resolver';
import { DossierService } from './dossiers/dossier.service';
import { PublicServiceResolver } from './public-services/public-service.resolver';
import { PublicServiceCatalogue, type CachedService } from './public-services/public-service.service';
import { buildDocumentsSchema } from './schema';
import { createIntegratedDocumentLoader, createValidDocumentsOfTypeLoader } from './wallet/integrated-document.loader';
import { IntegratedDocumentService } from './wallet/integrated-document.service';
import { IntegrationRequestService } from './wallet/integration-request.service';
import { AccountDocumentsResolver, DocumentIntegrationRequestResolver, IntegratedDocumentResolver } from './wallet/wallet.resolver';

export interface RunningDocuments extends RunningService { database: Database }

/** Starts the documents subgraph; returns its URL (tests start it in-process). */
export async function startDocuments(config: DocumentsConfig, overrides: { log?: Logger } = {}): Promise<RunningDocuments> {
  const log = overrides.log ?? createLogger({ service: 'documents', level: config.LOG_LEVEL });
  const redis = await connectRedis(config.REDIS_URL, log, 'documents');
  const database = await openDocumentsDatabase(config.DATABASE_URL, log);
  const revocations = await startRevocationList(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX, log, name: 'documents-revocations' });
  const serviceCache = new Cache<CachedService>(redis, 'documents:public-service:v2', { ttlSeconds: 600, log, keyPrefix: config.REDIS_KEY_PREFIX });
  const catalogue = new PublicServiceCatalogue(database.dataSource, serviceCache);
  const dossiers = new DossierService(database.dataSource, log, new OutboxWriter(DOCUMENTS_SCHEMA));
  const calendar = new HolidayCalendar(database.dataSource);
  const wallet = new IntegratedDocumentService(database.dataSource, log);
  const integrationRequests = new IntegrationRequestService(database.dataSource, log);
  const relay = new OutboxRelay(database.dataSource, redis, { schema: DOCUMENTS_SCHEMA, subgraph: 'documents', keyPrefix: config.REDIS_KEY_PREFIX, log });
  const container = new ResolverContainer()
    .register(new PublicServiceResolver(catalogue))
    .register(new DossierResolver(dossiers, config.GATEWAY_PUBLIC_URL))
    .register(new PublicServiceAppointmentResolver(dossiers))
    .register(new AccountDossiersResolver(dossiers))
    .register(new OrganisationDossiersResolver(dossiers))
    .register(new IntegratedDocumentResolver(wallet))
    .register(new DocumentIntegrationRequestResolver(integrationRequests))
    .register(new AccountDocumentsResolver(wallet, integrationRequests));

  const service = await startSubgraph<DocumentsLoaders>({
    name: 'documents', host: config.HOST, port: config.DOCUMENTS_PORT, production: config.NODE_ENV === 'production', log, shutdownGraceMs: config.SHUTDOWN_GRACE_MS, metricsToken: config.METRICS_TOKEN,
    schema: await buildDocumentsSchema(),
    database, redis, container,
    gatewayPublicKey: config.GATEWAY_PUBLIC_KEY,
    // Refuses tokens of sessions and delegations identity has ended, from memory (shared/src/auth/revocations.ts).
    verifier: new TokenVerifier({ jwksUrl: config.IDENTITY_JWKS_URL }, config.JWT_ISSUER, {
      revocations, relyingParties: config.OIDC_ISSUER ? { issuer: config.OIDC_ISSUER, audience: config.GRAPH_AUDIENCE } : undefined,
    }),
    loaders: () => ({ services: catalogue.loader(), dossiers: createDossierLoader(database.dataSource), agencies: createAgencyLoader(database.dataSource), holidays: calendar.forRequest(),
      integratedDocuments: createIntegratedDocumentLoader(database.dataSource), validDocumentsOfType: createValidDocumentsOfTypeLoader(database.dataSource) }),
    onStop: async () => { await relay.stop(); await revocations.stop(); await database.dataSource.destroy(); redis?.disconnect(); },
  });
  relay.start();
  return { ...service, database };
}
