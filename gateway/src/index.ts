import { ApolloGateway } from '@apollo/gateway';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createLogger, createRedis, GatewayProofSigner, operationLimitsMiddleware, redisReadiness, startHttpService, startRevocationList, TokenVerifier, type Logger, type RunningService } from '../../subgraphs/shared/src';
import { operationLimitsOf, persistedOperationsOf, requestLimitsOf, type GatewayConfig } from './config';
import { EXPLORER_HTML } from './explorer';
import { startRequestLimits } from './limits/request-limits';
import { registerReceiptRoutes } from './receipts/receipt.route';
import { registerReportRoutes } from './reports/report.route';
import { SubgraphDataSource, type GatewayContext } from './subgraph-data-source';
import { supergraphFromFile } from './supergraph-file';
import { legacyJsonStatusPlugin } from './legacy-status';
import { createPersistedOperations, inSequence } from './operations/persisted-operations';

export type { GatewayContext };

/** Starts the gateway over the composed supergraph; returns its URL. */
export async function startGateway(config: GatewayConfig, overrides: { log?: Logger; onSupergraphReload?: (outcome: { loaded: boolean; id: string; error?: string }) => void } = {}): Promise<RunningService & { reloadSupergraph(): void }> {
  const log = overrides.log ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  // One command connection for the request limits, the persisted operations and /ready (the revocation list has its
  // own: it blocks on the stream). A bad manifest (or none, in safelist mode) stops the start, and closes it.
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, log, 'gateway') : undefined;
  let persisted: ReturnType<typeof createPersistedOperations>;
  try {
    persisted = createPersistedOperations(persistedOperationsOf(config), { redis, keyPrefix: config.REDIS_KEY_PREFIX, log });
  } catch (error) {
    redis?.disconnect();
    throw error;
  }
  const routing: Record<string, string | undefined> = { identity: config.IDENTITY_URL, documents: config.DOCUMENTS_URL, payments: config.PAYMENTS_URL };
  const subgraphUrls = new Map<string, string>();
  const signer = await GatewayProofSigner.fromPem(config.GATEWAY_PRIVATE_KEY);
  const supergraph = supergraphFromFile({ path: config.SUPERGRAPH_PATH, watchMs: config.SUPERGRAPH_WATCH_MS, log, onReload: overrides.onSupergraphReload });
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.hook,
    buildService: ({ name, url }) => {
      const target = routing[name] ?? url!;
      subgraphUrls.set(name, target);
      return new SubgraphDataSource(name, target, signer, config.SUBGRAPH_TIMEOUT_MS, { failures: config.SUBGRAPH_BREAKER_FAILURES, cooldownMs: config.SUBGRAPH_BREAKER_COOLDOWN_MS });
    },
  });
  // The cost analysis reads list types and `first` from the API schema, known once the supergraph is loaded.
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => { apiSchema = loaded; });
  // Ended sessions and delegations are refused here too when REDIS_URL is set. Without it the gateway stays
  // stateless (it checks signatures and expiry) and the subgraphs, which all read identity's events, refuse them.
  // Started first: the limits wait for the command connection while the revocation list catches up.
  const requestLimitsStarting = startRequestLimits(requestLimitsOf(config), { redis, keyPrefix: config.REDIS_KEY_PREFIX, log });
  const revocations = await startRevocationList(config.REDIS_URL, {
    keyPrefix: config.REDIS_KEY_PREFIX, log, name: 'gateway-revocations',
    unconfigured: 'REDIS_URL is not set: the gateway verifies tokens statelessly; tokens of ended sessions and delegations are refused by the subgraphs, not here',
  });
  const verifier = new TokenVerifier({ jwksUrl: config.IDENTITY_JWKS_URL }, config.JWT_ISSUER, {
    revocations, relyingParties: config.OIDC_ISSUER ? { issuer: config.OIDC_ISSUER, audience: config.GRAPH_AUDIENCE } : undefined,
  });
  const requestLimits = await requestLimitsStarting;
  const service = await startHttpService<GatewayContext>({
    name: 'gateway', host: config.HOST, port: config.GATEWAY_PORT, production: config.NODE_ENV === 'production', log,
    trustProxy: config.TRUST_PROXY,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    metricsToken: config.METRICS_TOKEN,
    apollo: { gateway, persistedQueries: persisted.persistedQueries, plugins: [legacyJsonStatusPlugin<GatewayContext>(), ...persisted.plugins<GatewayContext>()] },
    // Before Apollo validates or the gateway plans: a document's size, not its fragments' expansion, bounds the work.
    // Persisted operations first (operations/): a hash becomes its document, or the safelist refuses, before the limits measure it.
    operationLimits: inSequence(persisted.middleware, operationLimitsMiddleware({ limits: operationLimitsOf(config), schema: () => apiSchema, log })),
    // Rates per address and per client, requests in flight per client, body size, batches, query length (limits/).
    requestLimits: requestLimits.handlers(verifier),
    routes: (app, execute) => {
      if (config.NODE_ENV !== 'production') app.get('/', (_req, res) => { res.type('html').send(EXPLORER_HTML); });
      registerReceiptRoutes(app, execute, log);
      // CSV exports: streamed by payments, which checks the caller's token itself (reports/report.route.ts).
      registerReportRoutes(app, () => subgraphUrls.get('payments'), log, config.SUBGRAPH_TIMEOUT_MS);
    },
    readiness: {
      ...Object.fromEntries(['identity', 'documents', 'payments'].map((name) => [name, async () => {
        const url = subgraphUrls.get(name);
        if (!url) throw new Error('not planned yet');
        const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) throw new Error(`answered ${response.status}`);
      }])),
      // Optional: without Redis the gateway answers on (limits per process, the revocation list as it was): degraded.
      ...(redis ? { redis: redisReadiness(redis) } : {}),
    },
    context: async (req, info) => {
      const authorization = req.header('authorization') ?? undefined;
      try {
        // Checked here too so that a bad token fails fast with one clear error, before any planning.
        const principal = await verifier.fromAuthorizationHeader(authorization);
        return { ...info, authorization, principal };
      } catch (error) {
        const e = error as GraphQLError;
        throw new GraphQLError(e.message, { extensions: { ...e.extensions, http: { status: 401 } } });
      }
    },
  });
  // SIGHUP reloads the supergraph too (supergraph-file.ts).
  return { ...service, reloadSupergraph: supergraph.reload, async stop() { await service.stop(); await revocations.stop(); await requestLimits.stop(); await redis?.quit().catch(() => redis.disconnect()); } };
}
