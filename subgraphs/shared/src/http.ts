import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type Response } from 'express';
import { Kind, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { GATEWAY_PROOF_HEADER, bodyDigest, type GatewayProofVerifier } from './auth/gateway-proof';
import { classifyInternalError, isPublicCode } from './errors';
import type { Logger } from './logger';
import { clientLabel, graphqlDuration, graphqlErrors, graphqlRequests, metricsRegistry, operationLabel } from './metrics';

export interface RequestInfo {
  requestId: string;
  log: Logger;
  /**
   * The end client's address. At a subgraph it is the address the gateway vouched for in its signed
   * proof; for a direct call, the socket's peer. Limits per IP key on it.
   */
  clientIp: string;
  /** True when the request carries a valid proof that the gateway sent it (subgraphs only). */
  viaGateway: boolean;
}

export interface HttpServiceOptions<C extends BaseContext> {
  name: string;
  host: string;
  port: number;
  production: boolean;
  log: Logger;
  /** Either `schema` (a subgraph) or `gateway` (the gateway). */
  apollo: Pick<ApolloServerOptions<C>, 'schema' | 'gateway' | 'validationRules' | 'persistedQueries' | 'cache'> & { plugins?: ApolloServerPlugin<C>[] };
  context: (req: Request, info: RequestInfo) => Promise<C>;
  /**
   * Readiness checks by name (database, redis, …); each throws when its dependency is not usable. A failing check makes
   * /ready answer 503, unless it is `optional`: the service still answers without that dependency (Redis: caches read
   * the database, limits count per process or refuse only their own operations), so it answers 200 `degraded`, naming
   * the check, and a load balancer keeps every replica serving through the dependency's outage.
   */
  readiness: Record<string, ReadinessCheck | { check: ReadinessCheck; optional: true }>;
  /** Extra routes; `execute` runs an operation in this process as if `req` had posted it to /graphql. */
  routes?: (app: Express, execute: InProcessExecute) => void;
  /** Subgraphs: verifies the gateway's signed proof on /graphql requests (see auth/gateway-proof.ts). */
  gatewayProof?: GatewayProofVerifier;
  /** Express's "trust proxy" (the gateway behind a load balancer); unset, the client is the socket's peer. */
  trustProxy?: string;
  /**
   * Limits checked on /graphql after the body is parsed and before Apollo validates, plans or runs
   * anything (see operation-limits.ts: `operationLimitsMiddleware`).
   */
  operationLimits?: express.RequestHandler;
  /**
   * The gateway's request limits on /graphql (gateway/src/limits/): `beforeBody` runs before the body is read (rates and
   * concurrency: a refused request costs no parsing), `afterBody` on the parsed body before `operationLimits`, and
   * `maxBodyBytes` bounds the JSON body (default 1 MB; past it, 413 naming `maxBodyBytes`).
   */
  requestLimits?: { beforeBody?: express.RequestHandler[]; afterBody?: express.RequestHandler[]; maxBodyBytes?: number };
  /** On stop, how long requests in flight may take to finish while new ones get 503 (default 5 s). */
  shutdownGraceMs?: number;
  /**
   * Who may read /metrics: with a token, a scraper that sends it as a bearer token; without one, anyone in
   * development and nobody in production (the route is off: operation and client names are not for the public).
   */
  metricsToken?: string;
}

/** Throws when its dependency is not usable; its message is the reason /ready shows. */
export type ReadinessCheck = () => Promise<unknown>;

/** `graceMs`: how long `stop` may take for requests in flight to finish (the process entry waits that long and more). */
export interface RunningService { name: string; url: string; port: number; graceMs?: number; stop(): Promise<void> }

/** What an operation run in process answers: the body a client of /graphql would have read. */
export interface InProcessResult { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }

/**
 * Runs one operation through the service's own Apollo server, with the context built exactly as for a request to
 * /graphql from `req` (the same token check, client address and request id): no HTTP round trip to itself. A
 * refusal of the context (a bad token) is thrown, as `options.context` throws it.
 */
export type InProcessExecute = (req: Request, res: Response, operation: { query: string; variables?: Record<string, unknown>; operationName?: string }) => Promise<InProcessResult>;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Keeps `extensions.code`; masks the message of anything that is not a deliberate, public error. */
export function formatErrorFor(production: boolean, log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isPublicCode(code)) {
      const { stacktrace: _hidden, ...extensions } = formatted.extensions ?? {};
      return production ? { ...formatted, extensions } : formatted;
    }
    const known = classifyInternalError(error);
    if (known) {
      log.warn('request failed on a dependency or unstorable input', { code: known.extensions.code, message: formatted.message, path: formatted.path });
      return { message: known.message, path: formatted.path, locations: formatted.locations, extensions: { code: known.extensions.code } };
    }
    log.error('internal error', { message: formatted.message, path: formatted.path, error });
    if (!production) return formatted;
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * One request log line per GraphQL operation (name, duration, error codes; never variables), and its metrics:
 * requests by operation, client and outcome, latency, errors by code.
 */
function requestLogPlugin<C extends BaseContext>(service: string, log: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ request, operationName, document, errors, contextValue }) {
          const info = (contextValue as Partial<RequestInfo> & { principal?: { accountId: string; role: string; clientId?: string } | null }) ?? {};
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          // The operation's name as the document gives it (the request's operationName is often absent, and a
          // document that failed validation has no operation resolved).
          const named = operationName ?? request.operationName ?? firstOperationName(document);
          const operation = operationLabel(named);
          const codes = errors?.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')) ?? [];
          // The client as the token names it (a partner, a relying party), else as it names itself.
          const client = clientLabel(info.principal?.clientId ?? request.http?.headers.get('apollographql-client-name'));
          graphqlRequests.inc({ service, operation, client, outcome: codes[0] ?? 'ok' });
          graphqlDuration.observe({ service, operation }, ms / 1000);
          for (const code of codes) graphqlErrors.inc({ service, code });
          (info.log ?? log).info('graphql request', {
            operation: named ?? null,
            // Who asked (an account id and role, never personal data): the audit trail of every request.
            caller: info.principal ? { accountId: info.principal.accountId, role: info.principal.role } : null,
            ms: Math.round(ms * 10) / 10,
            errors: errors?.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
          });
        },
      };
    },
  };
}

/** Runs one service: GraphQL at /graphql, liveness at /health, readiness at /ready. */
export async function startHttpService<C extends BaseContext>(options: HttpServiceOptions<C>): Promise<RunningService> {
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', trustProxyValue(options.trustProxy));
  const httpServer = http.createServer(app);
  const graceMs = options.shutdownGraceMs ?? 5_000;
  // Requests being answered, and whether the service is stopping (then new requests get 503).
  let inFlight = 0;
  let draining = false;
  const server = new ApolloServer<C>({
    ...options.apollo,
    introspection: !options.production,
    includeStacktraceInErrorResponses: !options.production,
    csrfPrevention: true,
    // Signals are handled once, by the process entry (runMain), which stops everything in order.
    stopOnTerminationSignals: false,
    formatError: formatErrorFor(options.production, options.log),
    plugins: [
      // By the time Apollo stops, the requests in flight have finished (or the grace is over): close what is left.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 100 }),
      ApolloServerPluginLandingPageDisabled(),
      requestLogPlugin<C>(options.name, options.log),
      ...(options.apollo.plugins ?? []),
    ],
  } as ApolloServerOptions<C>);
  await server.start();

  app.use((req, res, next) => {
    const given = req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    // Liveness stays true while stopping (a stopping process is not a dead one); everything else is refused with a
    // 503 a client or a load balancer retries elsewhere, rather than a refused connection.
    if (draining && req.path !== '/health') {
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '1');
      res.status(503).json({ errors: [{ message: 'This service is shutting down; send the request again.', extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'SHUTTING_DOWN' } }] });
      return;
    }
    inFlight += 1;
    res.once('close', () => { inFlight -= 1; });
    next();
  });
  app.get('/health', (_req, res) => { res.json({ status: 'ok', service: options.name }); });
  if (options.metricsToken || !options.production) {
    app.get('/metrics', async (req: Request, res: Response) => {
      if (options.metricsToken && !sameSecret(req.header('authorization') ?? '', `Bearer ${options.metricsToken}`)) {
        res.status(401).type('text/plain').send('metrics need the bearer token METRICS_TOKEN\n');
        return;
      }
      res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
    });
  }
  app.get('/ready', async (_req: Request, res: Response) => {
    const checks: Record<string, string> = {};
    let ready = true;
    let degraded = false;
    await Promise.all(Object.entries(options.readiness).map(async ([name, entry]) => {
      const { check, optional } = typeof entry === 'function' ? { check: entry, optional: false } : entry;
      try { await check(); checks[name] = 'ok'; } catch (error) {
        if (optional) degraded = true; else ready = false;
        checks[name] = (error as Error).message || 'failed';
      }
    }));
    res.status(ready ? 200 : 503).json({ status: ready ? (degraded ? 'degraded' : 'ready') : 'not ready', service: options.name, checks });
  });
  const contextOf = (req: Request, res: Response): Promise<C> => {
    const requestId = res.locals.requestId as string;
    const viaGateway = res.locals.viaGateway === true;
    const clientIp = viaGateway ? (res.locals.clientIp as string) : (req.ip ?? req.socket.remoteAddress ?? 'unknown');
    return options.context(req, { requestId, log: options.log.child({ requestId }), clientIp, viaGateway });
  };
  const execute: InProcessExecute = async (req, res, operation) => {
    const response = await server.executeOperation(operation, { contextValue: await contextOf(req, res) });
    if (response.body.kind !== 'single') throw new Error('an in-process operation must answer in one part');
    return { data: response.body.singleResult.data, errors: response.body.singleResult.errors };
  };
  options.routes?.(app, execute);
  app.use(
    '/graphql',
    ...(options.requestLimits?.beforeBody ?? []),
    jsonBody(options.requestLimits?.maxBodyBytes ?? 1024 * 1024),
    ...(options.gatewayProof ? [gatewayProofMiddleware(options.gatewayProof)] : []),
    ...(options.requestLimits?.afterBody ?? []),
    ...(options.operationLimits ? [options.operationLimits] : []),
    expressMiddleware(server, { context: ({ req, res }) => contextOf(req, res) }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`;
  options.log.info('service listening', { url: `${url}/graphql` });
  return {
    name: options.name,
    url,
    port,
    graceMs,
    async stop() {
      // New requests get 503 from now on; those in flight have up to the grace to finish; then Apollo stops.
      draining = true;
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      if (inFlight > 0) options.log.warn('stopping with requests still in flight after the grace period', { inFlight, graceMs });
      await server.stop();
    },
  };
}

interface ProvableRequest extends Request { bodyDigest?: string }

/**
 * The JSON body, at most `maxBytes` (checked against Content-Length before reading, and while reading a body without
 * one). Past it the answer is 413 in the shape of the other limits, not Express's HTML error page.
 */
function jsonBody(maxBytes: number): express.RequestHandler {
  const parse = express.json({
    limit: maxBytes,
    // A gateway proof is bound to the exact bytes of the body, so they are hashed as they arrive.
    verify: (req, _res, raw) => { if (req.headers[GATEWAY_PROOF_HEADER]) (req as ProvableRequest).bodyDigest = bodyDigest(raw); },
  });
  return (req, res, next) => parse(req, res, (error?: unknown) => {
    if ((error as { type?: string } | undefined)?.type !== 'entity.too.large') return next(error);
    const length = Number(req.headers['content-length']);
    res.status(413).json({ errors: [{
      message: `The request body is larger than ${maxBytes} bytes (limit maxBodyBytes).`,
      extensions: { code: 'BAD_REQUEST', limit: 'maxBodyBytes', max: maxBytes, ...(Number.isSafeInteger(length) ? { actual: length } : {}) },
    }] });
  });
}

/**
 * A request that presents a gateway proof must carry a valid one: a forged, expired or replayed-onto-
 * another-body proof is refused outright (401), never treated as an ordinary direct call.
 */
function gatewayProofMiddleware(verifier: GatewayProofVerifier) {
  return async (req: Request, res: Response, next: (error?: unknown) => void) => {
    const proof = req.header(GATEWAY_PROOF_HEADER);
    if (!proof) return next();
    const digest = (req as ProvableRequest).bodyDigest;
    const claims = digest ? await verifier.verify(proof, digest) : null;
    if (!claims) {
      res.status(401).json({ errors: [{ message: 'The gateway proof of this request is not valid.', extensions: { code: 'UNAUTHENTICATED', reason: 'GATEWAY_PROOF_INVALID' } }] });
      return;
    }
    res.locals.viaGateway = true;
    res.locals.clientIp = claims.clientIp;
    next();
  };
}

function firstOperationName(document: DocumentNode | undefined): string | undefined {
  const definition = document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return definition?.kind === Kind.OPERATION_DEFINITION ? definition.name?.value : undefined;
}

/** Compares two secrets in constant time (their hashes, so lengths leak nothing either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** "true", a hop count, or a comma-separated list of addresses/subnets/names, as Express reads them. */
function trustProxyValue(setting: string): boolean | number | string[] {
  if (setting === 'true') return true;
  if (/^\d+$/.test(setting)) return Number(setting);
  return setting.split(',').map((part) => part.trim()).filter(Boolean);
}
