import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Cache } from './cache';
import { createLogger } from './logger';

/** What a source of truth holds: the value a reader loads is whatever is in it at that moment. */
class Source {
  value = 'old';
  loads = 0;
  /** Lets a test hold a reader between its database read and its cache write. */
  gate: Promise<void> | undefined;
  async load(keys: string[]): Promise<Map<string, string>> {
    this.loads++;
    const seen = this.value;
    await this.gate;
    return new Map(keys.map((key) => [key, seen]));
  }
}

describe('the read-through cache against real Redis', () => {
  let redis: Redis;
  let prefix: string;
  const log = createLogger({ service: 'test', level: 'silent' });
  const cacheOf = (options: { purgeGuardSeconds?: number } = {}) => new Cache<string>(redis, 'test:thing:v1', { ttlSeconds: 300, log, keyPrefix: prefix, ...options });

  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    prefix = `test:${randomBytes(4).toString('hex')}:`;
    await redis.ping();
  });
  afterAll(() => redis.disconnect());

  it('reads through once, then serves from Redis', async () => {
    const cache = cacheOf();
    const source = new Source();
    expect(await cache.getMany(['a'], (k) => source.load(k))).toEqual(['old']);
    expect(await cache.getMany(['a'], (k) => source.load(k))).toEqual(['old']);
    expect(source.loads).toBe(1);
  });

  it('is never refilled with a value read before a purge (the slow reader race)', async () => {
    const cache = cacheOf();
    const source = new Source();
    let release!: () => void;
    source.gate = new Promise<void>((resolve) => { release = resolve; });

    // A reader misses and reads "old" from the database, then stalls before writing the cache...
    const slowReader = cache.getMany(['b'], (k) => source.load(k));
    await new Promise((r) => setTimeout(r, 20));
    // ...meanwhile a writer commits "new" and purges...
    source.value = 'new';
    await cache.purge('b');
    // ...and only then does the slow reader write back what it read.
    release();
    expect(await slowReader).toEqual(['old']);

    source.gate = undefined;
    expect(await cache.getMany(['b'], (k) => source.load(k))).toEqual(['new']);
  });

  it('fills again once the purge guard has passed', async () => {
    const cache = cacheOf({ purgeGuardSeconds: 1 });
    const source = new Source();
    await cache.purge('c');
    expect(await cache.getMany(['c'], (k) => source.load(k))).toEqual(['old']);
    await new Promise((r) => setTimeout(r, 1_100));
    await cache.getMany(['c'], (k) => source.load(k));
    const loadsAfterGuard = source.loads;
    await cache.getMany(['c'], (k) => source.load(k));
    expect(source.loads).toBe(loadsAfterGuard);
    expect(await redis.ttl(`${prefix}test:thing:v1:c`)).toBeGreaterThan(0);
  });
});
