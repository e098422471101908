import http from 'node:http';
import https from 'node:https';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CircuitBreaker } from './circuit-breaker';
import { GATEWAY_PROOF_HEADER, ServiceUnavailableError, subgraphDuration, subgraphRequests, type GatewayProofSigner, type Principal, type RequestInfo } from '../../subgraphs/shared/src';

export interface GatewayContext extends RequestInfo { authorization?: string; principal: Principal | null }

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
/** GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is not exported from the package's entry point). */
const INCOMING_OPERATION = 'incoming operation';

/** What came back from a subgraph, read whole. */
interface Answer { status: number; contentType: string; text: string }

/**
 * One subgraph as the gateway sees it. Forwards the caller's token (every subgraph verifies it again) and request
 * id; signs each request with the gateway's proof, bound to the exact body and naming the client address; gives up
 * after `timeoutMs`; and turns what comes back into errors that keep their meaning: a subgraph's own GraphQL errors
 * pass through with their code and `problems` whatever the HTTP status (Apollo Server answers variables that do not
 * coerce with 400 and a proper GraphQL body), and anything else (no answer, a proxy's HTML page) is
 * SERVICE_UNAVAILABLE naming the subgraph, never its internal URL.
 *
 * It speaks HTTP through node:http with a keep-alive agent rather than `fetch`: `RemoteGraphQLDataSource` builds a
 * node-fetch Request and Headers per call, and undici's fetch with web streams and an AbortSignal per call was the
 * largest cost of a request in the gateway after Apollo's own execution.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly target: URL;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly breaker: CircuitBreaker;

  constructor(private readonly subgraph: string, url: string, private readonly signer: GatewayProofSigner, private readonly timeoutMs: number,
    breaker: { failures: number; cooldownMs: number } = { failures: 5, cooldownMs: 5_000 }) {
    this.breaker = new CircuitBreaker(breaker.failures, breaker.cooldownMs);
    this.target = new URL(url);
    this.transport = this.target.protocol === 'https:' ? https : http;
    // LIFO reuses the most recent sockets and lets the rest time out: fewer open connections after a peak.
    this.agent = new this.transport.Agent({ keepAlive: true, scheduling: 'lifo' });
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const admitted = this.breaker.admit();
    if (!admitted.allowed) {
      subgraphRequests.inc({ subgraph: this.subgraph, outcome: 'circuit_open' });
      throw this.unavailable('is not answering', { reason: 'CIRCUIT_OPEN', retryAfterSeconds: admitted.retryAfterSeconds });
    }
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, ...(request.extensions ? { extensions: request.extensions } : {}) });
    const headers: Record<string, string> = {};
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    headers.accept = 'application/graphql-response+json, application/json';
    const context = options.context as Partial<GatewayContext>;
    let clientIp = 'gateway';
    if (options.kind === INCOMING_OPERATION && context.requestId) {
      if (context.authorization) headers.authorization = context.authorization;
      headers['x-request-id'] = context.requestId;
      clientIp = context.clientIp ?? clientIp;
    }
    headers[GATEWAY_PROOF_HEADER] = this.signer.sign(this.subgraph, body, clientIp);

    let answer: Answer;
    const timer = subgraphDuration.startTimer({ subgraph: this.subgraph });
    try {
      answer = await this.post(body, headers);
    } catch {
      timer();
      this.breaker.failed();
      subgraphRequests.inc({ subgraph: this.subgraph, outcome: 'unavailable' });
      throw this.unavailable('is not answering');
    }
    timer();
    const parsed = graphqlBody(answer);
    if (parsed && (answer.status < 300 || (Array.isArray(parsed.errors) && parsed.errors.length))) {
      this.breaker.succeeded();
      subgraphRequests.inc({ subgraph: this.subgraph, outcome: Array.isArray(parsed.errors) && parsed.errors.length ? 'graphql_error' : 'ok' });
      return parsed;
    }
    this.breaker.failed();
    subgraphRequests.inc({ subgraph: this.subgraph, outcome: 'unavailable' });
    throw this.unavailable(`answered ${answer.status}`);
  }

  /** SERVICE_UNAVAILABLE naming the subgraph (never its address), with `service` for clients to tell which part failed. */
  private unavailable(what: string, extensions: Record<string, unknown> = {}): ServiceUnavailableError {
    const error = new ServiceUnavailableError(`The ${this.subgraph} service ${what}; try again shortly.`);
    Object.assign(error.extensions, { service: this.subgraph, ...extensions });
    return error;
  }

  /** POSTs `body` and reads the whole answer, within the timeout (connecting, sending and reading together). */
  /**
   * A kept-alive connection the subgraph closed as idle just as this request went out on it fails with ECONNRESET
   * before any answer: the subgraph never read the request, so it is sent once more on a new connection (what Node's
   * documentation prescribes for `reusedSocket`). Any other failure, or a second one, is final.
   */
  private post(body: string, headers: Record<string, string>, retried = false): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      headers['content-length'] = String(Buffer.byteLength(body));
      const req = this.transport.request(this.target, { method: 'POST', headers, agent: this.agent });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (!retried && req.reusedSocket && error.code === 'ECONNRESET') resolve(this.post(body, headers, true));
        else reject(error);
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', (error) => { clearTimeout(timer); reject(error); });
        res.once('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end(body);
    });
  }
}

/** The GraphQL response in an answer, if it is one (a JSON object); null for anything else. */
function graphqlBody(answer: Answer): GatewayGraphQLResponse | null {
  if (!answer.contentType.startsWith('application/json') && !answer.contentType.startsWith('application/graphql-response+json')) return null;
  try {
    const body = JSON.parse(answer.text) as unknown;
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? body as GatewayGraphQLResponse : null;
  } catch {
    return null;
  }
}
