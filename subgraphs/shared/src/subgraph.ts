import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Express } from 'express';
import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { GatewayProofVerifier } from './auth/gateway-proof';
import type Redis from 'ioredis';
import type { Principal } from './auth/roles';
import type { TokenVerifier } from './auth/tokens';
import type { Database } from './database';
import type { ResolverContainer } from './federation';
import { startHttpService, type ReadinessCheck, type RequestInfo, type RunningService } from './http';
import type { Logger } from './logger';
import { operationLimitsMiddleware, type OperationLimits } from './operation-limits';

export interface SubgraphOptions<L> {
  name: string;
  host: string;
  port: number;
  production: boolean;
  log: Logger;
  schema: GraphQLSchema;
  database: Database;
  redis?: Redis;
  verifier: TokenVerifier;
  /** The gateway's public key (PEM): it verifies the gateway's signed proof; without one, `_entities` and `_service` are refused. */
  gatewayPublicKey: string;
  container: ResolverContainer;
  /** Fresh DataLoaders for each request (a loader caches for its request only). */
  loaders: () => L;
  routes?: (app: Express) => void;
  /** Called after the HTTP server has stopped (close the database, Redis, …). */
  onStop?: () => Promise<void>;
  /** Limits for requests that do not come through the gateway; the gateway's defaults when unset. */
  operationLimits?: Partial<OperationLimits>;
  /** On stop, how long requests in flight may take to finish (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs?: number;
  /** METRICS_TOKEN: the bearer token that reads /metrics (http.ts). */
  metricsToken?: string;
}

export interface SubgraphRequestContext<L> extends RequestInfo { principal: Principal | null; container: ResolverContainer; loaders: L }

/** Runs a subgraph: verifies the caller's token itself, then builds the per-request context. */
export async function startSubgraph<L>(options: SubgraphOptions<L>): Promise<RunningService> {
  const service = await startHttpService<SubgraphRequestContext<L>>({
    name: options.name,
    host: options.host,
    port: options.port,
    production: options.production,
    log: options.log,
    shutdownGraceMs: options.shutdownGraceMs,
    metricsToken: options.metricsToken,
    // No inline traces: they cost time on every request and tell callers how long each resolver took.
    apollo: { schema: options.schema, plugins: [ApolloServerPluginInlineTraceDisabled(), federationInternalsOnlyFromGateway()] },
    routes: options.routes,
    gatewayProof: await GatewayProofVerifier.fromPem(options.gatewayPublicKey, options.name),
    // A direct caller meets the gateway's limits here too; the gateway's own fetches (a valid proof sets
    // viaGateway) were checked at the gateway and may legitimately be larger (`_entities` with many representations).
    operationLimits: operationLimitsMiddleware({
      limits: options.operationLimits, schema: () => options.schema, log: options.log,
      skip: (_req, res) => res.locals.viaGateway === true,
    }),
    readiness: {
      database: () => options.database.dataSource.query('SELECT 1'),
      ...(options.redis ? { redis: redisReadiness(options.redis) } : {}),
    },
    context: async (req, info) => {
      let principal: Principal | null;
      try {
        principal = await options.verifier.fromAuthorizationHeader(req.header('authorization'));
      } catch (error) {
        const graphqlError = error as GraphQLError;
        throw new GraphQLError(graphqlError.message, { extensions: { ...graphqlError.extensions, http: { status: 401 } } });
      }
      return { ...info, principal, container: options.container, loaders: options.loaders() };
    },
  });
  return {
    ...service,
    async stop() {
      await service.stop();
      await options.onStop?.();
    },
  };
}

/**
 * Redis as an optional readiness check (the gateway's too). While Redis is away the graph still answers: caches read
 * the database, the revocation list keeps what it has, the gateway's request limits count per process, and only the
 * operations behind identity's security limits (logins, registrations, one-time codes, password resets, QR codes,
 * partner checks) are refused with SERVICE_UNAVAILABLE (those limits fail closed). So /ready says `degraded`, naming
 * Redis, rather than taking every replica out of the load balancer. The client reconnects by itself; the check says
 * ready again as soon as it has.
 */
export function redisReadiness(redis: Redis): { check: ReadinessCheck; optional: true } {
  return {
    optional: true,
    check: async () => {
      // Not connected, a command fails at once (no offline queue); the client's state says more than that error.
      if (redis.status !== 'ready') throw new Error(`unreachable (connection ${redis.status})`);
      await redis.ping();
    },
  };
}

const FEDERATION_INTERNALS = new Set(['_entities', '_service']);

/**
 * `_entities` takes representations at their word (keys and `@requires` fields) and `_service` prints the
 * whole subgraph schema: both are for the gateway alone. A request without the gateway's proof that asks
 * for either, however it is spelt (aliases, fragments), is refused before anything is resolved.
 */
function federationInternalsOnlyFromGateway(): ApolloServerPlugin<SubgraphRequestContext<unknown>> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (contextValue.viaGateway || !operation || !asksForFederationInternals(operation, document)) return;
          throw new GraphQLError('`_entities` and `_service` answer only the gateway.', { extensions: { code: 'FORBIDDEN', reason: 'GATEWAY_ONLY', http: { status: 403 } } });
        },
      };
    },
  };
}

function asksForFederationInternals(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode): boolean => selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return FEDERATION_INTERNALS.has(selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
    const name = selection.name.value;
    if (seen.has(name)) return false;
    seen.add(name);
    const fragment = fragments.get(name);
    return !!fragment && visit(fragment);
  });
  return visit(operation.selectionSet);
}
