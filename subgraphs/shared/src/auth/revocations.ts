import type Redis from 'ioredis';
import { UnauthenticatedError } from '../errors';
import { streamKey } from '../events/outbox';
import type { Logger } from '../logger';
import { createRedis } from '../redis';
import { settleWithin } from '../events/consumer';

/**
 * Ended sessions and delegations, refused everywhere within a second.
 *
 * Access tokens are verified without asking anyone (15 minutes, ES256), so a session that identity ends (logout,
 * revokeSession, a suspension, a new password) or a delegation it revokes would otherwise keep its access tokens
 * working until they expire. Identity announces each ending as an event in its outbox, in the transaction of the
 * change; its relay publishes them to the stream `<prefix>events:identity`; every process that verifies tokens (each
 * replica of each subgraph, and the gateway) reads that whole stream itself, with plain XREAD (not a consumer group:
 * every replica needs every event), and keeps what it read in memory. The verifier consults the list synchronously:
 * no Redis round trip per request.
 *
 * The list is an extra line of defence over the token's own 15 minutes, not the authority: when Redis cannot be
 * read the list keeps what it holds and retries, and requests are NOT refused for it (an outage of Redis must not log
 * the whole country out). A token whose ending was announced during the outage is refused once the stream is read
 * again, or expires.
 */

/** Identity's events that end tokens (their payloads below). */
export const SESSION_ENDED = 'session.ended';
export const ACCOUNT_SESSIONS_ENDED = 'account.sessionsEnded';
export const DELEGATION_ENDED = 'delegation.ended';
export const GRANT_ENDED = 'grant.ended';

/** One session (refresh-token family, the access token's `sid`) ended: logout, revokeSession, a replayed refresh token, or one of those `endAll` ended. */
export interface SessionEndedPayload { sessionId: string; accountId: string }
/**
 * Every session the account had at `at` ended (suspension, revocation, a password reset), but `exceptSessionId`
 * (a password change keeps the session that made it). Identity also announces each session it ended as
 * `session.ended`: access tokens say when they were issued only to the second, so this event alone could not tell a
 * token of an ended session from one of a new login in the same second.
 */
export interface AccountSessionsEndedPayload { accountId: string; at: string; exceptSessionId?: string | null }
/** A delegation was revoked or replaced by a new grant; an act token naming it (`act_for.delegation_id`) is refused. */
export interface DelegationEndedPayload { delegationId: string }
/**
 * A relying party's grant (single sign-on) ended: the person revoked the system, one of its tokens was revoked or a
 * used refresh token replayed, or the person signed out. Its access tokens for the graph name it (`grant_id`) and are
 * refused as of a session that ended: the grant is the relying party's session with the person.
 */
export interface GrantEndedPayload { grantId: string }

export type RevocationEvent =
  | { type: typeof SESSION_ENDED; payload: SessionEndedPayload }
  | { type: typeof ACCOUNT_SESSIONS_ENDED; payload: AccountSessionsEndedPayload }
  | { type: typeof DELEGATION_ENDED; payload: DelegationEndedPayload }
  | { type: typeof GRANT_ENDED; payload: GrantEndedPayload };

export const sessionEnded = (sessionId: string, accountId: string): RevocationEvent => ({ type: SESSION_ENDED, payload: { sessionId, accountId } });
export const accountSessionsEnded = (accountId: string, at: Date, exceptSessionId?: string): RevocationEvent => ({
  type: ACCOUNT_SESSIONS_ENDED, payload: { accountId, at: at.toISOString(), ...(exceptSessionId ? { exceptSessionId } : {}) },
});
export const delegationEnded = (delegationId: string): RevocationEvent => ({ type: DELEGATION_ENDED, payload: { delegationId } });
export const grantEnded = (grantId: string): RevocationEvent => ({ type: GRANT_ENDED, payload: { grantId } });

/**
 * Ended grants are kept with the ended sessions, under a key no session id can take (session ids are UUIDs), so the
 * list's kinds and its cap stay as they are. Grant ids are oidc-provider's (nanoid): compared as they are, not lower-cased.
 */
const grantKey = (grantId: string) => `grant:${grantId}`;
const grantIdOf = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= 100 ? value : undefined);

/** What the list needs of a verified token. */
export interface TokenFacts {
  accountId: string;
  /** The `sid` claim, when the token names its session. */
  sessionId?: string;
  /** The `iat` claim (whole seconds). */
  issuedAtSeconds: number;
  /** `act_for.delegation_id` of a token that acts for an organisation under a delegation. */
  delegationId?: string | null;
  /** `grant_id` of a relying party's token: the single sign-on grant it was issued under. */
  grantId?: string;
}

export type RevocationReason = 'SESSION_ENDED' | 'DELEGATION_ENDED';

/** What the token verifier consults (synchronously) after a token's signature and claims check out. */
export interface RevocationCheck { refusal(token: TokenFacts): RevocationReason | null }

/** The error a refused token gets: UNAUTHENTICATED, with the reason. */
export function revokedTokenError(reason: RevocationReason): UnauthenticatedError {
  const error = new UnauthenticatedError(reason === 'SESSION_ENDED'
    ? 'The session of this access token has ended (logged out, a new password, or ended by an administrator); log in again.'
    : 'The delegation this token acts under has ended; use your own token, or act for the organisation again.');
  Object.assign(error.extensions, { reason });
  return error;
}

/** Access tokens live 15 minutes; an entry is kept 16 after it was seen, which covers them and the verifier's 30 s clock tolerance. */
export const REVOCATION_TTL_MS = 16 * 60_000;
/** How far back a process that starts reads the stream: one access-token lifetime, plus clock skew between Redis and us. */
export const REVOCATION_LOOKBACK_MS = 15 * 60_000 + 60_000;
/** Entries of each kind held at most (16 minutes of endings). Past it the oldest go first, and the log says so loudly. */
export const REVOCATION_MAX_ENTRIES = 100_000;
/** Password changes made from different sessions keep their own cut each; more than this per account keeps the newest. */
const MAX_CUTS_PER_ACCOUNT = 8;

/** "Every session of the account that existed at `atMs` ended, but `except`." */
interface AccountCut { atMs: number; except?: string; expiresAtMs: number }

export interface RevocationListOptions {
  log: Logger;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * The in-memory list. Three maps, each in insertion order, which is also expiry order (every entry lives `ttlMs`
 * after it was noted, and noting again moves it to the end), so expiring is a walk from the front that stops at the
 * first live entry, and evicting at the cap drops the oldest.
 */
export class RevocationList implements RevocationCheck {
  private readonly sessions = new Map<string, number>();
  private readonly delegations = new Map<string, number>();
  private readonly accounts = new Map<string, AccountCut[]>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private evicted = 0;
  private lastCapWarning = -Infinity;
  private feed: RevocationFeed | undefined;

  constructor(private readonly options: RevocationListOptions) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? REVOCATION_TTL_MS;
    this.maxEntries = options.maxEntries ?? REVOCATION_MAX_ENTRIES;
  }

  /** Why the token must be refused, or null. Synchronous and in memory: it runs on every request. */
  refusal(token: TokenFacts): RevocationReason | null {
    const now = this.now();
    const sessionId = token.sessionId?.toLowerCase();
    if (sessionId && (this.sessions.get(sessionId) ?? 0) > now) return 'SESSION_ENDED';
    if (token.grantId && (this.sessions.get(grantKey(token.grantId)) ?? 0) > now) return 'SESSION_ENDED';
    const cuts = this.accounts.get(token.accountId.toLowerCase());
    if (cuts) {
      // Refused only when issued surely before the cut: `iat` is whole seconds, and a token of the same second may
      // belong to a new login (a token of an ended session in that second is refused by its `sid` above).
      const issuedBeforeMs = (token.issuedAtSeconds + 1) * 1000;
      for (const cut of cuts) {
        if (cut.expiresAtMs > now && issuedBeforeMs <= cut.atMs && (!cut.except || cut.except !== sessionId)) return 'SESSION_ENDED';
      }
    }
    const delegationId = token.delegationId?.toLowerCase();
    if (delegationId && (this.delegations.get(delegationId) ?? 0) > now) return 'DELEGATION_ENDED';
    return null;
  }

  /** Takes one event of identity's stream; other event types are ignored, malformed ones logged and ignored. */
  note(event: { type: string; payload: unknown }): void {
    const payload = (event.payload ?? {}) as Record<string, unknown>;
    const id = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= 100 ? value.toLowerCase() : undefined);
    const now = this.now();
    const expiresAtMs = now + this.ttlMs;
    this.expire(now);
    switch (event.type) {
      case SESSION_ENDED: {
        const sessionId = id(payload.sessionId);
        if (!sessionId) return this.malformed(event.type);
        this.put(this.sessions, sessionId, expiresAtMs);
        return;
      }
      case DELEGATION_ENDED: {
        const delegationId = id(payload.delegationId);
        if (!delegationId) return this.malformed(event.type);
        this.put(this.delegations, delegationId, expiresAtMs);
        return;
      }
      case GRANT_ENDED: {
        const grantId = grantIdOf(payload.grantId);
        if (!grantId) return this.malformed(event.type);
        this.put(this.sessions, grantKey(grantId), expiresAtMs);
        return;
      }
      case ACCOUNT_SESSIONS_ENDED: {
        const accountId = id(payload.accountId);
        const atMs = typeof payload.at === 'string' ? Date.parse(payload.at) : NaN;
        if (!accountId || Number.isNaN(atMs)) return this.malformed(event.type);
        const except = id(payload.exceptSessionId);
        // A cut that keeps no session covers every earlier cut of the account.
        const kept = (this.accounts.get(accountId) ?? []).filter((c) => c.expiresAtMs > now && (except || c.atMs > atMs));
        kept.push({ atMs, ...(except ? { except } : {}), expiresAtMs });
        this.put(this.accounts, accountId, kept.slice(-MAX_CUTS_PER_ACCOUNT));
        return;
      }
      default:
    }
  }

  /** Entries held now, by kind (expired ones are dropped first). */
  size(): { sessions: number; accounts: number; delegations: number } {
    this.expire(this.now());
    return { sessions: this.sessions.size, accounts: this.accounts.size, delegations: this.delegations.size };
  }

  /** Reads identity's stream into this list until `stop` (see RevocationFeed); resolves once caught up, or after `readyTimeoutMs`. */
  follow(redis: Redis, options: { keyPrefix: string; blockMs?: number; retryMs?: number; readyTimeoutMs?: number; batch?: number }): Promise<void> {
    if (this.feed) throw new Error('the revocation list already follows a stream');
    this.feed = new RevocationFeed(redis, this, { ...options, log: this.options.log, now: this.now });
    return this.feed.start(options.readyTimeoutMs ?? 3_000);
  }

  async stop(): Promise<void> {
    await this.feed?.stop();
  }

  private put<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size <= this.maxEntries) return;
    const oldest = map.keys().next().value as string;
    map.delete(oldest);
    this.evicted++;
    const now = this.now();
    if (now - this.lastCapWarning >= 60_000) {
      this.lastCapWarning = now;
      // Loud: tokens of the sessions dropped are accepted again until they expire (15 minutes at most).
      this.options.log.error('revocation list full: the oldest entries are dropped, their tokens are accepted again until they expire; raise the cap', {
        maxEntries: this.maxEntries, evictedSoFar: this.evicted,
        sessions: this.sessions.size, accounts: this.accounts.size, delegations: this.delegations.size,
      });
    }
  }

  private expire(now: number): void {
    for (const map of [this.sessions, this.delegations] as Map<string, number>[]) {
      for (const [key, expiresAtMs] of map) {
        if (expiresAtMs > now) break;
        map.delete(key);
      }
    }
    for (const [key, cuts] of this.accounts) {
      if (cuts[cuts.length - 1].expiresAtMs > now) break;
      this.accounts.delete(key);
    }
  }

  private malformed(type: string): void {
    this.options.log.warn('revocation event ignored: malformed payload', { type });
  }
}

/** Stream ids are `<milliseconds>-<sequence>`; compared as such, not as text. */
function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : (as ?? 0) - (bs ?? 0);
}

/**
 * Follows identity's event stream on a dedicated (blocking) connection: first the entries of the last access-token
 * lifetime (XREAD from the stream id of `now - lookback`, without blocking, until caught up), then XREAD BLOCK from the
 * last id read. On any failure it keeps the list as it is, waits and reads on from where it was (never from further
 * back than the lookback: older endings concern no live token).
 */
class RevocationFeed {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private cursor: string;
  private caughtUp = false;
  private onCaughtUp: (() => void) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly list: RevocationList,
    private readonly options: { keyPrefix: string; log: Logger; now: () => number; blockMs?: number; retryMs?: number; batch?: number },
  ) {
    this.cursor = this.floor();
  }

  private get key(): string { return streamKey(this.options.keyPrefix, 'identity'); }

  private floor(): string { return `${Math.max(0, this.options.now() - REVOCATION_LOOKBACK_MS)}-0`; }

  start(readyTimeoutMs: number): Promise<void> {
    const ready = new Promise<void>((resolve) => {
      this.onCaughtUp = resolve;
      setTimeout(resolve, readyTimeoutMs).unref();
    });
    this.loop = this.run();
    return ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.onCaughtUp?.();
    this.redis.disconnect();
    // A blocked XREAD on a connection already lost may never settle once disconnected: wait a moment at most.
    await settleWithin(this.loop, 2_000);
  }

  private async run(): Promise<void> {
    const blockMs = this.options.blockMs ?? 1_000;
    const retryMs = this.options.retryMs ?? 1_000;
    const batch = this.options.batch ?? 1_000;
    let failing = false;
    while (!this.stopped) {
      try {
        if (this.redis.status !== 'ready') await readyOrFailed(this.redis, retryMs);
        const floor = this.floor();
        if (compareStreamIds(this.cursor, floor) < 0) this.cursor = floor;
        const answer = (await this.read(this.caughtUp
          ? ['COUNT', batch, 'BLOCK', blockMs, 'STREAMS', this.key, this.cursor]
          : ['COUNT', batch, 'STREAMS', this.key, this.cursor], blockMs)) as [string, [string, string[]][]][] | null;
        const entries = answer?.[0]?.[1] ?? [];
        for (const [streamId, fields] of entries) {
          const field = (name: string) => fields[fields.indexOf(name) + 1];
          try {
            this.list.note({ type: field('type'), payload: JSON.parse(field('payload')) });
          } catch {
            this.options.log.warn('revocation event ignored: unreadable', { streamId });
          }
          this.cursor = streamId;
        }
        if (failing) {
          failing = false;
          this.options.log.info('revocation events readable again', { ...this.list.size() });
        }
        if (!this.caughtUp && entries.length < batch) {
          this.caughtUp = true;
          this.options.log.info('revocation list caught up with identity\'s events', { ...this.list.size() });
          this.onCaughtUp?.();
        }
      } catch (error) {
        if (this.stopped) return;
        // An unreachable Redis does not hold up a start: the list begins empty and fills once the stream is read.
        this.onCaughtUp?.();
        if (!failing) {
          failing = true;
          // Requests go on being served: the list keeps what it has (see the top of this file).
          this.options.log.warn('revocation events cannot be read; keeping the list as it is and retrying', { error: (error as Error).message, ...this.list.size() });
        }
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  /**
   * XREAD on the blocking connection, which has no command timeout (it waits on purpose): a watchdog past the block
   * time drops the connection and reconnects, so a silently dead link cannot stall the feed forever.
   */
  private read(args: (string | number)[], blockMs: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.redis.disconnect(true);
        reject(new Error('no answer from redis to XREAD'));
      }, blockMs + 5_000);
    });
    return Promise.race([(this.redis.xread as (...a: (string | number)[]) => Promise<unknown>)(...args), watchdog]).finally(() => clearTimeout(timer));
  }
}

/** Until the client is ready (resolves) or fails to connect (rejects at its first error, or after `ms`). */
function readyOrFailed(redis: Redis, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (error) reject(error); else resolve();
    };
    const onReady = () => done();
    const onError = (error: Error) => done(error);
    const timer = setTimeout(() => done(new Error(`redis is ${redis.status}`)), ms);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/**
 * One process's list, following identity's stream on its own blocking connection. Without `redisUrl` (a development
 * run without Redis) the list stays empty and a warning says so; `unconfigured` words that warning for the caller.
 * Resolves once the recent endings are read, so that a new process refuses from its first request what ended before
 * it started; at the first failure to reach Redis (it then starts empty and retries in the background), and after
 * `readyTimeoutMs` (3 s) at most whatever happens.
 */
export async function startRevocationList(redisUrl: string | undefined, options: {
  keyPrefix: string; log: Logger; name: string; unconfigured?: string; now?: () => number; maxEntries?: number; blockMs?: number; retryMs?: number; readyTimeoutMs?: number;
}): Promise<RevocationList> {
  const list = new RevocationList({ log: options.log, now: options.now, maxEntries: options.maxEntries });
  if (!redisUrl) {
    options.log.warn(options.unconfigured ?? 'REDIS_URL is not set: no revocation list; access tokens of ended sessions and delegations are accepted until they expire (15 minutes at most)');
    return list;
  }
  await list.follow(createRedis(redisUrl, options.log, options.name, { blocking: true }), options);
  return list;
}
