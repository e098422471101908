import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Express } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type Redis from 'ioredis';
import type { Principal } from './auth/roles';
import type { TokenVerifier } from './auth/tokens';
import type { Database } from './database';
import type { ResolverContainer } from './federation';
import { startHttpService, type RequestInfo, type RunningService } from './http';
import type { Logger } from './logger';

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
  container: ResolverContainer;
  /** Fresh DataLoaders for each request (a loader caches for its request only). */
  loaders: () => L;
  routes?: (app: Express) => void;
  /** Called after the HTTP server has stopped (close the database, Redis, …). */
  onStop?: () => Promise<void>;
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
    // No inline traces: they cost time on every request and tell callers how long each resolver took.
    apollo: { schema: options.schema, plugins: [ApolloServerPluginInlineTraceDisabled()] },
    routes: options.routes,
    readiness: {
      database: () => options.database.dataSource.query('SELECT 1'),
      ...(options.redis ? { redis: () => options.redis!.ping() } : {}),
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
