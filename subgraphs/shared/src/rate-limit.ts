import { isIPv4, isIPv6 } from 'node:net';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimitRefusals } from './metrics';
import { RateLimitedError, ServiceUnavailableError } from './errors';

export interface LimitRule { name: string; limit: number; windowSeconds: number }
export interface LimitState { count: number; retryAfterSeconds: number }

const UNAVAILABLE = 'Security limits cannot be checked right now; try again shortly.';

/**
 * Fixed-window counters for brute-force limits (logins per username and per client IP, registrations per
 * IP, SMS per phone), on `rate-limiter-flexible`. In Redis each count is one Lua script (SET NX EX, then
 * INCRBY): the increment and the key's expiry are atomic, so parallel requests never slip past a limit
 * and a key can never be left without a TTL. The limits hold across every replica.
 *
 * Unlike the cache this fails closed: with Redis configured but unreachable every count is refused with
 * SERVICE_UNAVAILABLE (deliberately no insurance limiter, which would count per process and let a
 * multiple of the limit through). Without any Redis configured (a single-process development run) it
 * counts in memory.
 *
 * Keys: `<REDIS_KEY_PREFIX>limit:<rule name>:<subject>`.
 */
export class RateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  /** `service` labels the refusals it counts in the metrics (rate_limit_refusals_total). */
  constructor(private readonly redis: Redis | undefined, private readonly keyPrefix = '', private readonly service = 'unknown') {}

  /**
   * Counts one attempt and refuses it (RATE_LIMITED, with `retryAfterSeconds`) once the rule's limit is
   * exceeded: of N parallel calls exactly `limit` pass. Count *before* doing the guarded work.
   */
  async consume(rule: LimitRule, subject: string, message: string): Promise<LimitState> {
    try {
      const res = await this.limiterFor(rule).consume(subject);
      return { count: res.consumedPoints, retryAfterSeconds: secondsUntil(res, rule) };
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) {
        rateLimitRefusals.inc({ service: this.service, limit: rule.name });
        throw new RateLimitedError(message, secondsUntil(outcome, rule));
      }
      throw new ServiceUnavailableError(UNAVAILABLE);
    }
  }

  /** Gives one counted attempt back (it turned out legitimate, e.g. a right password). Best effort. */
  async refund(rule: LimitRule, subject: string): Promise<void> {
    try { await this.limiterFor(rule).reward(subject); } catch { /* the window expires on its own */ }
  }

  /** Forgets the subject's count (a successful login clears its username's failures). Best effort. */
  async reset(rule: LimitRule, subject: string): Promise<void> {
    try { await this.limiterFor(rule).delete(subject); } catch { /* the window expires on its own */ }
  }

  /**
   * Reads the counts of many subjects under one rule without counting anything: one Redis round trip (a
   * pipeline of GET and PTTL per key) however many subjects. A subject never counted, or whose window has
   * passed, reads null. For showing state (an account's lock), never for deciding whether to let an
   * attempt through: that is `consume`, which counts and decides in one atomic step. Like `consume` it
   * fails closed: with Redis configured but unreachable it throws SERVICE_UNAVAILABLE, and the caller
   * decides what a read without Redis falls back to.
   */
  async peek(rule: LimitRule, subjects: readonly string[]): Promise<(LimitState | null)[]> {
    if (subjects.length === 0) return [];
    if (!this.redis) {
      const limiter = this.limiterFor(rule);
      return Promise.all(subjects.map(async (subject) => {
        const res = await limiter.get(subject);
        return res && res.consumedPoints > 0 ? { count: res.consumedPoints, retryAfterSeconds: secondsUntil(res, rule) } : null;
      }));
    }
    if (this.redis.status !== 'ready') throw new ServiceUnavailableError(UNAVAILABLE);
    try {
      const pipeline = this.redis.pipeline();
      for (const subject of subjects) pipeline.get(this.keyOf(rule, subject)).pttl(this.keyOf(rule, subject));
      const results = (await pipeline.exec()) ?? [];
      return subjects.map((_, i) => {
        const [[getError, value], [ttlError, ttl]] = [results[2 * i], results[2 * i + 1]];
        if (getError || ttlError) throw getError ?? ttlError;
        const count = Number.parseInt(String(value ?? ''), 10);
        if (!Number.isFinite(count) || count <= 0 || (typeof ttl === 'number' && ttl === -2)) return null;
        const ms = typeof ttl === 'number' && ttl > 0 ? ttl : rule.windowSeconds * 1000;
        return { count, retryAfterSeconds: Math.ceil(ms / 1000) };
      });
    } catch {
      throw new ServiceUnavailableError(UNAVAILABLE);
    }
  }

  /** The Redis key a subject is counted under (tests read its TTL). */
  keyOf(rule: LimitRule, subject: string): string {
    return `${this.prefixOf(rule)}:${subject}`;
  }

  private prefixOf(rule: LimitRule): string { return `${this.keyPrefix}limit:${rule.name}`; }

  private limiterFor(rule: LimitRule): RateLimiterAbstract {
    const id = `${rule.name}/${rule.limit}/${rule.windowSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { keyPrefix: this.prefixOf(rule), points: rule.limit, duration: rule.windowSeconds };
      limiter = this.redis
        // rejectIfRedisNotReady: a disconnected client refuses at once instead of trying the command.
        ? new RateLimiterRedis({ ...options, storeClient: this.redis, rejectIfRedisNotReady: true })
        : new RateLimiterMemory(options);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

function secondsUntil(res: RateLimiterRes, rule: LimitRule): number {
  return res.msBeforeNext > 0 ? Math.ceil(res.msBeforeNext / 1000) : rule.windowSeconds;
}

/**
 * The subject a client address is counted under. An IPv4-mapped IPv6 address counts as its IPv4 address;
 * an IPv6 address by its /64, the block one subscriber (one home, one phone) usually holds: counting single
 * IPv6 addresses would let one client rotate through billions of them.
 */
export function clientIpSubject(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(ip)) return ip;
  const address = ip.split('%')[0];
  if (isIPv6(address)) return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
  return ip.slice(0, 64) || 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, lowercase, without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::');
  const parse = (part: string | undefined) => (part ? part.split(':') : []);
  const left = parse(head);
  const right = parse(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4 style) takes two groups.
  const last = right.length ? right : left;
  if (last.length && last[last.length - 1].includes('.')) {
    const [a, b, c, d] = last.pop()!.split('.').map(Number);
    last.push(((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
