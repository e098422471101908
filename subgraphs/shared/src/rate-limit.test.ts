import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisServer } from '../../../scripts/lib/local-services';
import { createLogger } from './logger';
import { clientIpSubject, RateLimiter, type LimitRule } from './rate-limit';
import { createRedis, waitForRedis } from './redis';

const log = createLogger({ service: 'test', level: 'silent' });
const RULE: LimitRule = { name: 'test-rule', limit: 5, windowSeconds: 60 };

/** Runs all attempts at once; returns how many passed and the codes of the refusals. */
async function attemptAtOnce(limiter: RateLimiter, n: number, subject: string) {
  const outcomes = await Promise.allSettled(Array.from({ length: n }, () => limiter.consume(RULE, subject, 'slow down')));
  return {
    passed: outcomes.filter((o) => o.status === 'fulfilled').length,
    refusals: outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { extensions: { code: string; retryAfterSeconds?: number } }] : [])),
  };
}

describe('the rate limiter on real Redis', () => {
  let redis: Redis;
  let reader: Redis;
  const prefix = `rl-test:${randomBytes(4).toString('hex')}:`;
  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'), log, 'rate-limit-test');
    reader = new Redis(inject('redisUrl'));
    await waitForRedis(redis);
  });
  afterAll(() => { redis.disconnect(); reader.disconnect(); });

  it('lets exactly the limit through when 20 attempts arrive at once, and refuses the rest with a retry time', async () => {
    const limiter = new RateLimiter(redis, prefix);
    const { passed, refusals } = await attemptAtOnce(limiter, 20, 'parallel');
    expect(passed).toBe(5);
    expect(refusals).toHaveLength(15);
    for (const refusal of refusals) {
      expect(refusal.extensions.code).toBe('RATE_LIMITED');
      expect(refusal.extensions.retryAfterSeconds).toBeGreaterThan(0);
      expect(refusal.extensions.retryAfterSeconds).toBeLessThanOrEqual(RULE.windowSeconds);
    }
  });

  it('keeps its counts under the key prefix, each key with a TTL from its first count on', async () => {
    const limiter = new RateLimiter(redis, prefix);
    await limiter.consume(RULE, 'ttl', 'slow down');
    const key = limiter.keyOf(RULE, 'ttl');
    expect(key).toBe(`${prefix}limit:test-rule:ttl`);
    expect(await reader.get(key)).toBe('1');
    const ttl = await reader.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(RULE.windowSeconds);
    // A key left without an expiry (by a crash under the old INCR-then-EXPIRE) gets one at the next count.
    await reader.set(`${prefix}limit:test-rule:stuck`, '2');
    await limiter.consume(RULE, 'stuck', 'slow down');
    expect(await reader.ttl(`${prefix}limit:test-rule:stuck`)).toBeGreaterThan(0);
  });

  it('gives an attempt back on refund and forgets the subject on reset', async () => {
    const limiter = new RateLimiter(redis, prefix);
    for (let i = 0; i < 5; i++) await limiter.consume(RULE, 'refund', 'slow down');
    await limiter.refund(RULE, 'refund');
    await limiter.consume(RULE, 'refund', 'slow down');
    await expect(limiter.consume(RULE, 'refund', 'slow down')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    await limiter.reset(RULE, 'refund');
    expect(await reader.exists(limiter.keyOf(RULE, 'refund'))).toBe(0);
    await expect(limiter.consume(RULE, 'refund', 'slow down')).resolves.toMatchObject({ count: 1 });
  });

  it('shares the count between two limiters (two replicas)', async () => {
    const other = createRedis(inject('redisUrl'), log, 'replica-b');
    try {
      await waitForRedis(other);
      const [a, b] = [new RateLimiter(redis, prefix), new RateLimiter(other, prefix)];
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consume(RULE, 'replicas', 'slow down')));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    } finally {
      other.disconnect();
    }
  });
});

describe('the rate limiter when Redis stops', () => {
  it('refuses every attempt (SERVICE_UNAVAILABLE) instead of letting it through', async () => {
    const server = await startRedisServer();
    const redis = createRedis(server.url, log, 'doomed');
    try {
      expect(await waitForRedis(redis)).toBe(true);
      const limiter = new RateLimiter(redis, 'down:');
      await expect(limiter.consume(RULE, 'x', 'slow down')).resolves.toMatchObject({ count: 1 });
      await server.stop();
      for (let i = 0; i < 3; i++) {
        await expect(limiter.consume(RULE, 'x', 'slow down')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
      }
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});

describe('the rate limiter without Redis (one process, development)', () => {
  it('counts in memory with the same rule', async () => {
    const { passed, refusals } = await attemptAtOnce(new RateLimiter(undefined, 'mem:'), 20, 'parallel');
    expect(passed).toBe(5);
    expect(refusals.every((r) => r.extensions.code === 'RATE_LIMITED')).toBe(true);
  });
});

describe('client IP subjects', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s counts as %s', (ip, subject) => {
    expect(clientIpSubject(ip)).toBe(subject);
  });
});
