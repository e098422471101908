import type Redis from 'ioredis';
import { RateLimitedError, ServiceUnavailableError } from './errors';

export interface LimitRule { name: string; limit: number; windowSeconds: number }
export interface LimitState { count: number; retryAfterSeconds: number }

/**
 * Fixed-window counters for brute-force limits (OTP sends per phone, login failures per account).
 * They live in Redis so the limits hold across every replica. Unlike the cache this fails closed:
 * with Redis configured but unreachable it refuses rather than letting attempts through.
 * Without any Redis configured (a single-process development run) it counts in memory.
 */
export class RateLimiter {
  private readonly memory = new Map<string, { count: number; expiresAt: number }>();
  constructor(private readonly redis: Redis | undefined, private readonly keyPrefix = '') {}

  /** Counts one hit and throws RATE_LIMITED once the rule's limit is exceeded. */
  async hit(rule: LimitRule, subject: string, message: string): Promise<LimitState> {
    const state = await this.increment(rule, subject);
    if (state.count > rule.limit) throw new RateLimitedError(message, state.retryAfterSeconds);
    return state;
  }

  /** Throws RATE_LIMITED when the subject is already over the limit, without counting. */
  async check(rule: LimitRule, subject: string, message: string): Promise<void> {
    const state = await this.peek(rule, subject);
    if (state.count >= rule.limit) throw new RateLimitedError(message, state.retryAfterSeconds);
  }

  async increment(rule: LimitRule, subject: string): Promise<LimitState> {
    const key = this.key(rule, subject);
    if (!this.redis) {
      const now = Date.now();
      const entry = this.memory.get(key);
      const live = entry && entry.expiresAt > now ? entry : { count: 0, expiresAt: now + rule.windowSeconds * 1000 };
      live.count++;
      this.memory.set(key, live);
      return { count: live.count, retryAfterSeconds: Math.ceil((live.expiresAt - now) / 1000) };
    }
    try {
      const [[, count], [, ttl]] = (await this.redis.multi().incr(key).ttl(key).exec()) as [[null, number], [null, number]];
      if (ttl < 0) await this.redis.expire(key, rule.windowSeconds);
      return { count, retryAfterSeconds: ttl < 0 ? rule.windowSeconds : ttl };
    } catch {
      throw new ServiceUnavailableError('Security limits cannot be checked right now; try again shortly.');
    }
  }

  async peek(rule: LimitRule, subject: string): Promise<LimitState> {
    const key = this.key(rule, subject);
    if (!this.redis) {
      const entry = this.memory.get(key);
      const now = Date.now();
      return entry && entry.expiresAt > now ? { count: entry.count, retryAfterSeconds: Math.ceil((entry.expiresAt - now) / 1000) } : { count: 0, retryAfterSeconds: 0 };
    }
    try {
      const [[, count], [, ttl]] = (await this.redis.multi().get(key).ttl(key).exec()) as [[null, string | null], [null, number]];
      return { count: Number(count ?? 0), retryAfterSeconds: Math.max(ttl, 0) };
    } catch {
      throw new ServiceUnavailableError('Security limits cannot be checked right now; try again shortly.');
    }
  }

  async reset(rule: LimitRule, subject: string): Promise<void> {
    const key = this.key(rule, subject);
    if (!this.redis) { this.memory.delete(key); return; }
    try { await this.redis.del(key); } catch { /* the window expires on its own */ }
  }

  private key(rule: LimitRule, subject: string): string { return `${this.keyPrefix}limit:${rule.name}:${subject}`; }
}
