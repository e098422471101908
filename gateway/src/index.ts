import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { createLogger, ServiceUnavailableError, startHttpService, TokenVerifier, type Logger, type Principal, type RequestInfo, type RunningService } from '../../subgraphs/shared/src';
import type { GatewayConfig } from './config';
import { depthLimit } from './depth-limit';
import { EXPLORER_HTML } from './explorer';

export interface GatewayContext extends RequestInfo { authorization?: string; principal: Principal | null }

/** Forwards the caller's token and request id; every subgraph verifies the token again itself. */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(private readonly subgraph: string, options: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0]) {
    super(options);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('requestId' in context)) return;
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    request.http?.headers.set('x-request-id', context.requestId);
  }

  /** A subgraph that times out or cannot be reached is a retryable SERVICE_UNAVAILABLE, not an internal error. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      return await super.process(options);
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      throw new ServiceUnavailableError(`The ${this.subgraph} service is not answering; try again shortly.`);
    }
  }
}

/** Starts the gateway over the composed supergraph; returns its URL. */
export async function startGateway(config: GatewayConfig, overrides: { log?: Logger } = {}): Promise<RunningService> {
  const log = overrides.log ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const routing: Record<string, string | undefined> = { identity: config.IDENTITY_URL, documents: config.DOCUMENTS_URL, payments: config.PAYMENTS_URL };
  const subgraphUrls = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) => {
      const target = routing[name] ?? url!;
      subgraphUrls.set(name, target);
      return new ForwardingDataSource(name, {
        url: target,
        fetcher: ((input: string, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(config.SUBGRAPH_TIMEOUT_MS) })) as never,
      });
    },
  });
  const verifier = new TokenVerifier({ jwksUrl: config.IDENTITY_JWKS_URL }, config.JWT_ISSUER);
  const service = await startHttpService<GatewayContext>({
    name: 'gateway', host: config.HOST, port: config.GATEWAY_PORT, production: config.NODE_ENV === 'production', log,
    apollo: { gateway, validationRules: [depthLimit(config.MAX_QUERY_DEPTH)] },
    routes: (app) => {
      if (config.NODE_ENV !== 'production') app.get('/', (_req, res) => { res.type('html').send(EXPLORER_HTML); });
    },
    readiness: Object.fromEntries(['identity', 'documents', 'payments'].map((name) => [name, async () => {
      const url = subgraphUrls.get(name);
      if (!url) throw new Error('not planned yet');
      const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2_000) });
      if (!response.ok) throw new Error(`answered ${response.status}`);
    }])),
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
  return service;
}
