import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { GATEWAY_PROOF_HEADER, ServiceUnavailableError, type GatewayProofSigner, type Principal, type RequestInfo } from '../../subgraphs/shared/src';

export interface GatewayContext extends RequestInfo { authorization?: string; principal: Principal | null }

/** Carries the client address from `willSendRequest` (which has the context) to the fetcher (which has the body). */
const CLIENT_IP_HANDOFF = 'x-gateway-client-ip';

type Fetcher = (url: string, init: RequestInit & { headers: Record<string, string>; body: string }) => Promise<Response>;

/**
 * One subgraph as the gateway sees it. Forwards the caller's token (every subgraph verifies it again) and
 * request id; signs each request with the gateway's proof, bound to the exact body and naming the client
 * address; gives up after `timeoutMs`; and turns what comes back into errors that keep their meaning:
 * a subgraph's own GraphQL errors pass through with their code and `problems` whatever the HTTP status,
 * and anything else (no answer, a proxy's HTML page) is SERVICE_UNAVAILABLE naming the subgraph, never
 * its internal URL.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(private readonly subgraph: string, url: string, signer: GatewayProofSigner, timeoutMs: number) {
    const fetcher: Fetcher = async (target, init) => {
      const { [CLIENT_IP_HANDOFF]: clientIp, ...headers } = init.headers;
      headers[GATEWAY_PROOF_HEADER] = await signer.sign(subgraph, init.body, clientIp ?? 'gateway');
      const response = await fetch(target, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
      return response.ok ? response : graphqlErrorsAsSuccess(response);
    };
    super({ url, fetcher: fetcher as never });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('requestId' in context)) return;
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    request.http?.headers.set('x-request-id', context.requestId);
    request.http?.headers.set(CLIENT_IP_HANDOFF, context.clientIp);
  }

  override async errorFromResponse(response: Response): Promise<GraphQLError> {
    return new ServiceUnavailableError(`The ${this.subgraph} service answered ${response.status}; try again shortly.`);
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

/**
 * Apollo Server answers a request whose variables do not coerce (an invalid date, say) with HTTP 400 and a
 * proper GraphQL body. Read as a transport failure that would become "400: Bad Request" with the subgraph's
 * URL; read as the GraphQL response it is, its errors reach the client with their code and `problems`.
 */
async function graphqlErrorsAsSuccess(response: Response): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json') && !type.startsWith('application/graphql-response+json')) return response;
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(body.errors) && body.errors.length) return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  } catch { /* not JSON after all: handled as a failed response below */ }
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}
