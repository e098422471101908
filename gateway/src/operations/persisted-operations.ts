/**
 * Operations the portals may send (see README, Security: "Operations the portals may send"):
 *
 * - `apq` (the default): any operation runs, and a client may send a document's SHA-256 instead of the document
 *   (automatic persisted queries). A hash the gateway does not know is PERSISTED_QUERY_NOT_FOUND; the client then
 *   sends hash and document once, Apollo Server checks and validates the document and registers it, in Redis when
 *   REDIS_URL is set (every replica finds it), else in this process. The operations of the manifest are known by
 *   hash from the start.
 * - `safelist` (production portals): only the operations of the manifest (`npm run operations:manifest`) run, sent
 *   whole or by hash alone; anything else, a hash the manifest lacks and a registration included, is refused with
 *   HTTP 403 and PERSISTED_QUERY_NOT_IN_SAFELIST. Nothing is registered and Redis is not used.
 * - `off`: documents only; a hash is PERSISTED_QUERY_NOT_SUPPORTED.
 *
 * The decision is an Express middleware on /graphql that runs after the body is read and before the operation limits:
 * it costs one SHA-256 of the text and a map (or one Redis) lookup, before anything parses, validates or plans. It
 * puts the document of a hash into the request, so the operation limits measure the real document and Apollo runs
 * it as if sent whole; a hash known only to another replica is found in Redis here, where the limits, which remember
 * the documents they measured in this process, would not know it. In safelist mode an Apollo plugin checks every
 * operation that reaches Apollo over HTTP again, whatever the order of the middlewares.
 */
import { existsSync } from 'node:fs';
import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GraphQLError } from 'graphql';
import type Redis from 'ioredis';
import type { Logger } from '../../../subgraphs/shared/src';
import { MemoryDocumentCache, RedisDocumentCache, type DocumentCache } from './document-cache';
import { OperationManifest, operationId, SHA256_HEX } from './manifest';

export type PersistedOperationsMode = 'off' | 'apq' | 'safelist';

export interface PersistedOperationsSettings {
  mode: PersistedOperationsMode;
  /** The manifest file: required in safelist mode; in apq mode read when it exists. */
  manifestPath: string;
  /** How long a registered document is kept, in seconds. */
  apqTtlSeconds: number;
}

/** The code of an operation refused because the manifest does not hold it. */
export const NOT_IN_SAFELIST = 'PERSISTED_QUERY_NOT_IN_SAFELIST';

/** Apollo Server keeps automatic persisted queries under this prefix in the cache it is given. */
const APQ_KEY_PREFIX = 'apq:';

export interface PersistedOperations {
  readonly mode: PersistedOperationsMode;
  readonly manifest: OperationManifest;
  /** Apollo Server's `persistedQueries` option. */
  readonly persistedQueries: ApolloServerOptions<BaseContext>['persistedQueries'];
  /** On /graphql after the body is parsed and before the operation limits. */
  readonly middleware: RequestHandler;
  plugins<C extends BaseContext>(): ApolloServerPlugin<C>[];
}

/**
 * Reads the manifest, synchronously so that a gateway with a bad one stops before it opens any connection (a missing
 * one stops it in safelist mode; in apq mode it only means no operation is known by hash from the start). In apq mode
 * with Redis (the gateway's command connection) it keeps documents there, not waiting for it: a cache, it answers misses until
 * Redis does.
 */
export function createPersistedOperations(settings: PersistedOperationsSettings, options: { redis?: Redis; keyPrefix: string; log: Logger }): PersistedOperations {
  const { mode } = settings;
  const { log } = options;
  const manifest = loadManifest(settings, log);
  let documents: DocumentCache | undefined;
  if (mode === 'apq') {
    if (options.redis) {
      documents = new RedisDocumentCache(options.redis, options.keyPrefix, settings.apqTtlSeconds, log);
    } else {
      documents = new MemoryDocumentCache(settings.apqTtlSeconds);
      log.warn('REDIS_URL is not set: automatic persisted queries are kept in this process, bounded (each gateway replica registers its own)');
    }
  }
  return {
    mode,
    manifest,
    persistedQueries: documents ? { cache: documents, ttl: settings.apqTtlSeconds } : false,
    middleware: persistedOperationsMiddleware(mode, manifest, documents, log),
    plugins: <C extends BaseContext>() => (mode === 'safelist' ? [safelistPlugin<C>(manifest)] : []),
  };
}

function loadManifest(settings: PersistedOperationsSettings, log: Logger): OperationManifest {
  if (settings.mode === 'off') return OperationManifest.empty();
  if (settings.mode === 'apq' && !existsSync(settings.manifestPath)) {
    log.info('no persisted operation manifest: only registered documents are known by hash', { path: settings.manifestPath });
    return OperationManifest.empty();
  }
  let manifest: OperationManifest;
  try {
    manifest = OperationManifest.fromFile(settings.manifestPath);
  } catch (error) {
    throw new Error(`PERSISTED_OPERATIONS=${settings.mode}: ${(error as Error).message}`);
  }
  log.info(settings.mode === 'safelist' ? 'safelist: only the operations of the manifest run' : 'persisted operation manifest loaded', { path: settings.manifestPath, operations: manifest.size });
  return manifest;
}

/** Runs `handlers` one after the other, as one handler (startHttpService takes one for the operation limits). */
export function inSequence(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    const run = (index: number, error?: unknown): void => {
      if (error !== undefined || index === handlers.length) return next(error);
      try {
        const result = handlers[index](req, res, (nextError?: unknown) => run(index + 1, nextError)) as unknown;
        if (result instanceof Promise) result.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    run(0);
  };
}

// ---------------------------------------------------------------------------------------------------
// The middleware.
// ---------------------------------------------------------------------------------------------------

/** A GraphQL request as Apollo will read it: POST body, or GET parameters. */
interface Incoming {
  /** The document, when the request carries one as a string. */
  query?: string;
  /** The `persistedQuery` extension, when the request has one (of any shape). */
  persistedQuery?: unknown;
  operationName?: string;
  /** Puts a document in place of a hash and drops the `persistedQuery` extension, so Apollo runs it as if sent whole. */
  replace(query: string): void;
}

interface Answer { status: number; message: string; extensions: Record<string, unknown> }

function persistedOperationsMiddleware(mode: PersistedOperationsMode, manifest: OperationManifest, documents: DocumentCache | undefined, log: Logger): RequestHandler {
  const decide = async (incoming: Incoming): Promise<Answer | undefined> => {
    // Apollo reads a falsy persistedQuery as none.
    if (!incoming.persistedQuery) {
      if (mode !== 'safelist' || incoming.query === undefined) return undefined;
      return manifest.body(operationId(incoming.query)) === undefined ? notSafelisted('document') : undefined;
    }
    if (mode === 'off') {
      // Apollo's own answer, and status, to a persisted query it does not support: Apollo clients then stop hashing.
      return { status: 200, message: 'PersistedQueryNotSupported', extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } };
    }
    const { version, sha256Hash: hash } = incoming.persistedQuery as { version?: unknown; sha256Hash?: unknown };
    if (version !== 1) return badRequest('Unsupported persisted query version: only version 1 is.', 'PERSISTED_QUERY_VERSION');
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) return badRequest('persistedQuery.sha256Hash must be the SHA-256 of the document in 64 lower-case hex digits.', 'PERSISTED_QUERY_HASH_INVALID');
    if (incoming.query !== undefined) {
      if (operationId(incoming.query) !== hash) return badRequest('persistedQuery.sha256Hash is not the SHA-256 of the query sent with it.', 'PERSISTED_QUERY_HASH_MISMATCH');
      if (manifest.body(hash) !== undefined) { incoming.replace(incoming.query); return undefined; }
      // A registration: Apollo stores the document once it has validated it (apq). The safelist registers nothing.
      return mode === 'safelist' ? notSafelisted('registration') : undefined;
    }
    const body = manifest.body(hash) ?? (mode === 'apq' ? await documents?.get(APQ_KEY_PREFIX + hash) : undefined);
    if (body === undefined) {
      if (mode === 'safelist') return notSafelisted('hash');
      // The APQ protocol's miss: Apollo clients send hash and document again; 200 as Apollo answers it, never cached.
      return { status: 200, message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } };
    }
    incoming.replace(body);
    return undefined;
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const incoming = incomingOf(req);
      const answer = incoming ? await decide(incoming) : undefined;
      if (!answer) return next();
      if (answer.extensions.code === NOT_IN_SAFELIST) {
        log.warn('operation refused: not in the safelist', { requestId: res.locals.requestId, operation: incoming?.operationName ?? null, refused: answer.extensions.reason });
      }
      if (answer.status === 200) res.setHeader('cache-control', 'private, no-cache, must-revalidate');
      res.status(answer.status).json({ errors: [{ message: answer.message, extensions: answer.extensions }] });
    } catch (error) {
      next(error);
    }
  };
}

/**
 * 403, not 400: the request is well formed and its document may be valid, but this deployment runs only the
 * operations its portals were built with. Nothing the client changes in the request makes it pass, a distinct status
 * tells monitoring an unregistered operation (a portal build ahead of the gateway's manifest, or someone probing)
 * apart from malformed requests and limits, and a distinct code is not mistaken for a missing permission.
 */
function notSafelisted(what: 'document' | 'hash' | 'registration'): Answer {
  const message = {
    document: 'This operation is not one the portals are built with: only the operations of the persisted operation manifest run here.',
    hash: 'No operation of the persisted operation manifest has this hash: only the operations of the manifest run here.',
    registration: 'Operations cannot be registered here: only the operations of the persisted operation manifest run.',
  }[what];
  const reason = { document: 'OPERATION_NOT_SAFELISTED', hash: 'UNKNOWN_OPERATION_ID', registration: 'REGISTRATION_REFUSED' }[what];
  return { status: 403, message, extensions: { code: NOT_IN_SAFELIST, reason } };
}

function badRequest(message: string, reason: string): Answer {
  return { status: 400, message, extensions: { code: 'BAD_REQUEST', reason } };
}

/**
 * The request as Apollo Server will read it; undefined when Apollo will refuse it whatever it holds (a batch, a body
 * that is not an object, another method, a parameter given twice), so there is nothing here to decide.
 */
function incomingOf(req: Request): Incoming | undefined {
  if (req.method === 'POST') {
    const body: unknown = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const fields = body as Record<string, unknown>;
    const extensions = isRecord(fields.extensions) ? fields.extensions : undefined;
    return {
      query: typeof fields.query === 'string' ? fields.query : undefined,
      persistedQuery: extensions?.persistedQuery,
      operationName: typeof fields.operationName === 'string' ? fields.operationName : undefined,
      replace(query) {
        const { extensions: _replaced, ...rest } = fields;
        const kept = withoutPersistedQuery(extensions);
        // Apollo refuses an `extensions` field that is present but not an object, undefined included.
        req.body = kept ? { ...rest, query, extensions: kept } : { ...rest, query };
      },
    };
  }
  if (req.method !== 'GET') return undefined;
  const at = req.url.indexOf('?');
  const path = at < 0 ? req.url : req.url.slice(0, at);
  const params = new URLSearchParams(searchOf(req.url));
  if (['query', 'extensions', 'operationName', 'variables'].some((name) => params.getAll(name).length > 1)) return undefined;
  const extensionsText = params.get('extensions');
  let extensions: Record<string, unknown> | undefined;
  if (extensionsText !== null) {
    try { const parsed: unknown = JSON.parse(extensionsText); extensions = isRecord(parsed) ? parsed : undefined; } catch { extensions = undefined; }
  }
  const query = params.get('query');
  return {
    query: query ?? undefined,
    persistedQuery: extensions?.persistedQuery,
    operationName: params.get('operationName') ?? undefined,
    replace(document) {
      params.set('query', document);
      const rest = withoutPersistedQuery(extensions);
      if (rest) params.set('extensions', JSON.stringify(rest)); else params.delete('extensions');
      req.url = `${path}?${params.toString()}`;
    },
  };
}

/** The search part of a request path (`?…`, before any `#`), as Apollo's Express integration reads it. */
function searchOf(url: string): string {
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const at = beforeHash.indexOf('?');
  return at < 0 ? '' : beforeHash.slice(at);
}

function withoutPersistedQuery(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!extensions) return undefined;
  const { persistedQuery: _dropped, ...rest } = extensions;
  return Object.keys(rest).length ? rest : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// The safelist, checked again inside Apollo.
// ---------------------------------------------------------------------------------------------------

/**
 * Refuses any operation that reached Apollo over HTTP with a document outside the manifest (Apollo's `queryHash` is
 * the SHA-256 of the document it runs). The middleware refuses them first; this holds even if it were bypassed.
 * Operations the gateway runs in process for its own routes (a receipt) have no HTTP request and are not refused.
 */
export function safelistPlugin<C extends BaseContext>(manifest: OperationManifest): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ request }) {
      if (!request.http) return {};
      return {
        async didResolveOperation({ queryHash }) {
          if (manifest.body(queryHash) !== undefined) return;
          throw new GraphQLError(notSafelisted('document').message, { extensions: { code: NOT_IN_SAFELIST, reason: 'OPERATION_NOT_SAFELISTED', http: { status: 403 } } });
        },
      };
    },
  };
}
