/**
 * The gateway's request limits, on /graphql, before Apollo (see README, Security: "Limits per client and per IP"):
 *
 * - before the body is read: requests per client address and per client per minute (fixed windows in Redis through
 *   the shared RateLimiter, so every replica counts into the same window), and requests in flight per client
 *   (concurrency.ts). A refusal is HTTP 429 with Retry-After and `RATE_LIMITED` + `retryAfterSeconds`, naming the limit;
 * - the JSON body's size (startHttpService's `maxBodyBytes`: 413, naming `maxBodyBytes`);
 * - after the body is parsed and before the document is: no batches (a JSON array of operations) and the `query`
 *   string's length, each refused with HTTP 400 naming the limit, like the operation limits that follow.
 *
 * Who the client is, and why changing names escapes nothing: client.ts.
 */
import type { Request, RequestHandler, Response } from 'express';
import type Redis from 'ioredis';
import {
  clientIpSubject, RateLimitedError, RateLimiter, rateLimitRefusals, Role, ServiceUnavailableError, waitForRedis,
  type LimitRule, type Logger, type Principal, type TokenVerifier,
} from '../../../subgraphs/shared/src';
import { CLIENT_NAME_HEADER, claimedTokenClaims, clientOf, type RequestClient } from './client';
import { ConcurrencyLimiter, type RedisHealth, type Slot } from './concurrency';

export interface RequestLimits {
  /** Requests from one client address (an IPv6 address by its /64) per minute, whoever sends them, partners' tokens aside. */
  requestsPerIpPerMinute: number;
  /** Requests of one named client per minute, on top of the address limit; a partner's registration may set its own. */
  requestsPerClientPerMinute: number;
  /** Requests of one named client in flight at once, across every replica. */
  concurrentRequestsPerClient: number;
  /** The JSON body of a request, in bytes. */
  maxBodyBytes: number;
  /** The `query` string, in characters: checked before the document is parsed. */
  maxQueryLength: number;
}

/**
 * Starting points, measured against what the graph serves (one gateway replica ≈ 450 requests/s on this hardware):
 * - 1200 a minute per address (20/s sustained): far above a person at a portal (a page is a few requests), with room
 *   for an office or a carrier's NAT; raise it where many people share one IPv4 address;
 * - 6000 a minute per client (100/s, about a fifth of one replica): one portal or partner cannot take the graph;
 * - 50 in flight per client: a portal's burst fits, a client holding slow requests open cannot pile up without end;
 * - 100 kB bodies: the largest real request (a registration with its variables) is under 2 kB;
 * - 20,000 characters of query: twenty times the longest real document, and more than 1000 tokens (MAX_TOKENS) need
 *   when written normally, so the lexer-level limit, not this one, is what ordinary documents meet.
 */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  requestsPerIpPerMinute: 1_200,
  requestsPerClientPerMinute: 6_000,
  concurrentRequestsPerClient: 50,
  maxBodyBytes: 100 * 1024,
  maxQueryLength: 20_000,
};

const WINDOW_SECONDS = 60;

interface Refusal { status: number; retryAfterSeconds?: number; message: string; extensions: Record<string, unknown> }

/** The handlers startHttpService runs on /graphql (its `requestLimits`). */
export interface RequestLimitHandlers { beforeBody: RequestHandler[]; afterBody: RequestHandler[]; maxBodyBytes: number }

export interface RunningRequestLimits {
  readonly limits: RequestLimits;
  /** The handlers, reading callers' tokens with the gateway's own verifier (it keeps verified tokens: no second check). */
  handlers(verifier: Pick<TokenVerifier, 'fromAuthorizationHeader'>): RequestLimitHandlers;
  /** Stops renewing slots (the Redis connection is the gateway's, closed by it). */
  stop(): Promise<void>;
}

/**
 * Counts in Redis on the gateway's command connection (the one the persisted operations and /ready use too; the
 * revocation list has its own, which blocks on the stream), after waiting up to 3 s for it, so the first requests
 * already count in the shared windows. Call it early: the wait runs while the rest of the gateway starts.
 */
export async function startRequestLimits(limits: RequestLimits, options: { redis?: Redis; keyPrefix: string; log: Logger; slotLeaseMs?: number }): Promise<RunningRequestLimits> {
  const { log, keyPrefix, redis } = options;
  if (!redis) log.warn('REDIS_URL is not set: request limits are counted per process (each gateway replica allows the full limits)');
  const health = outageReport(log);
  const counters = new SharedCounters(redis, keyPrefix, health);
  const slots = new ConcurrencyLimiter(redis, keyPrefix, { leaseMs: options.slotLeaseMs, health });
  if (redis && !(await waitForRedis(redis))) health.failed();

  return {
    limits,
    handlers: (verifier) => ({
      beforeBody: [rateAndConcurrency(limits, counters, slots, verifier, log)],
      afterBody: [requestShape(limits, log)],
      maxBodyBytes: limits.maxBodyBytes,
    }),
    async stop() {
      slots.stop();
    },
  };
}

/**
 * Counts in Redis; while Redis cannot be reached, in this process. Unlike the login and registration limits (which
 * fail closed: a brute-force attempt must never slip through), these guard capacity: refusing every request of the
 * graph because Redis is down would be the outage they exist to prevent. Per process, each replica allows the full
 * limit: a known multiple, for as long as the outage lasts, logged once when it starts and once when it ends.
 */
class SharedCounters {
  private readonly shared: RateLimiter;
  private readonly local: RateLimiter;

  constructor(private readonly redis: Redis | undefined, keyPrefix: string, private readonly health: RedisHealth) {
    this.shared = new RateLimiter(redis, keyPrefix, 'gateway');
    this.local = redis ? new RateLimiter(undefined, keyPrefix, 'gateway') : this.shared;
  }

  /** Undefined when the request may go on; the 429 otherwise. */
  async consume(rule: LimitRule, subject: string, message: string, limit: string): Promise<Refusal | undefined> {
    try {
      await this.count(rule, subject, message);
      return undefined;
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      const retryAfterSeconds = Number(error.extensions.retryAfterSeconds);
      return { status: 429, retryAfterSeconds, message, extensions: { ...error.extensions, limit, max: rule.limit } };
    }
  }

  private async count(rule: LimitRule, subject: string, message: string): Promise<void> {
    if (!this.redis) {
      await this.shared.consume(rule, subject, message);
      return;
    }
    try {
      await this.shared.consume(rule, subject, message);
      this.health.ok();
    } catch (error) {
      // RATE_LIMITED is Redis answering; SERVICE_UNAVAILABLE is Redis not answering.
      if (!(error instanceof ServiceUnavailableError)) {
        this.health.ok();
        throw error;
      }
      this.health.failed();
      await this.local.consume(rule, subject, message);
    }
  }
}

/** Logs the moment Redis stops answering the limits, and the moment it answers again: not once per request. */
function outageReport(log: Logger): RedisHealth {
  let up = true;
  return {
    ok() {
      if (up) return;
      up = true;
      log.info('request limits are counted in Redis again, shared by every replica');
    },
    failed() {
      if (!up) return;
      up = false;
      log.warn('redis is not answering: request limits are counted per process until it is back (each replica allows the full limits)');
    },
  };
}

function rateAndConcurrency(limits: RequestLimits, counters: SharedCounters, slots: ConcurrencyLimiter, verifier: Pick<TokenVerifier, 'fromAuthorizationHeader'>, log: Logger): RequestHandler {
  const perIp: LimitRule = { name: 'gateway-ip', limit: limits.requestsPerIpPerMinute, windowSeconds: WINDOW_SECONDS };
  const perClient = (client: RequestClient): LimitRule => ({
    name: 'gateway-client', limit: client.requestsPerMinute ?? limits.requestsPerClientPerMinute, windowSeconds: WINDOW_SECONDS,
  });
  // A token that does not verify counts as none here; Apollo's context refuses it (401) right after.
  const verified = (authorization: string | undefined): Promise<Principal | null> => verifier.fromAuthorizationHeader(authorization).catch(() => null);

  const admit = async (req: Request, res: Response): Promise<Refusal | undefined> => {
    const authorization = req.header('authorization') ?? undefined;
    const claims = claimedTokenClaims(authorization);
    const claimsPartner = claims?.role === Role.PARTNER_BANK && typeof claims.client_id === 'string';
    let principal = claimsPartner ? await verified(authorization) : null;
    const machine = principal?.role === Role.PARTNER_BANK && !!principal.clientId;
    if (!machine) {
      // The address always counts (a partner's own token aside), before any signature is checked.
      const address = clientIpSubject(req.ip ?? req.socket.remoteAddress ?? 'unknown');
      const refused = await counters.consume(perIp, address, `Too many requests from this address: at most ${perIp.limit} a minute.`, 'requestsPerIpPerMinute');
      if (refused) return refused;
      // Only a token that names a client needs its signature checked to know the client.
      if (!claimsPartner && typeof claims?.client_id === 'string') principal = await verified(authorization);
    }
    const client = clientOf(principal, req.header(CLIENT_NAME_HEADER) ?? undefined);
    if (!client) return undefined;
    const rule = perClient(client);
    const refused = await counters.consume(rule, client.subject, `Too many requests from this client: at most ${rule.limit} a minute.`, 'requestsPerClientPerMinute');
    if (refused) return refused;

    // The slot is given back when the response is over, however it ends (answered, refused later, connection dropped).
    let over = false;
    let slot: Slot | null = null;
    res.once('close', () => { over = true; slot?.release(); });
    slot = await slots.acquire(client.subject, limits.concurrentRequestsPerClient);
    if (!slot) {
      rateLimitRefusals.inc({ service: 'gateway', limit: 'gateway-concurrency' });
      const max = limits.concurrentRequestsPerClient;
      return {
        status: 429, retryAfterSeconds: 1, message: `Too many requests from this client at once: at most ${max} in flight.`,
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1, limit: 'concurrentRequestsPerClient', max },
      };
    }
    if (over) slot.release();
    return undefined;
  };

  return async (req, res, next) => {
    try {
      const refusal = await admit(req, res);
      if (!refusal) return next();
      // Not logged one by one (a flood would flood the log too): rate_limit_refusals_total counts them.
      log.debug('request refused', { requestId: res.locals.requestId, limit: refusal.extensions.limit });
      refuse(res, refusal);
    } catch (error) {
      next(error);
    }
  };
}

/** After the body is parsed: one operation per request, and a `query` no longer than the limit. */
function requestShape(limits: RequestLimits, log: Logger): RequestHandler {
  return (req, res, next) => {
    const refusal = shapeRefusal(req, limits);
    if (!refusal) return next();
    log.warn('request refused', { requestId: res.locals.requestId, limit: refusal.extensions.limit });
    refuse(res, refusal);
  };
}

function shapeRefusal(req: Request, limits: RequestLimits): Refusal | undefined {
  const body: unknown = req.body;
  // Apollo Server answers batches only with allowBatchedHttpRequests, which the graph never sets: one batch would run
  // many operations under one count of every limit above. Refused here with the limit named, before anything runs.
  if (Array.isArray(body)) {
    return {
      status: 400, message: `Batched requests are not accepted: send one operation per request (limit maxBatchSize).`,
      extensions: { code: 'BAD_REQUEST', limit: 'maxBatchSize', max: 1, actual: body.length },
    };
  }
  const query = req.method === 'GET' || req.method === 'HEAD' ? req.query.query : (body as { query?: unknown } | undefined)?.query;
  const max = limits.maxQueryLength;
  if (typeof query === 'string' && query.length > max) {
    return {
      status: 400, message: `The query is ${query.length} characters long; at most ${max} are allowed (limit maxQueryLength).`,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxQueryLength', max, actual: query.length },
    };
  }
  return undefined;
}

function refuse(res: Response, refusal: Refusal): void {
  if (refusal.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(refusal.retryAfterSeconds));
  res.status(refusal.status).json({ errors: [{ message: refusal.message, extensions: refusal.extensions }] });
}
