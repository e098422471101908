import DataLoader from 'dataloader';
import type Redis from 'ioredis';
import type { Logger } from './logger';
import { cacheLookups } from './metrics';

/** Stands in a purged key for a short while; never valid JSON, so never mistaken for a value. */
const PURGED = '\u0000purged';
/** How long a purged key refuses to be refilled: longer than any reader's database read. */
const DEFAULT_PURGE_GUARD_SECONDS = 10;

/**
 * A read-through cache for one family of keys (e.g. "payments:postal-point:v1"), shared by all
 * replicas through Redis. It fails open: when Redis is missing or down, reads go to the source and
 * the caller still gets the right answer, only slower. Writers call `purge` after every change.
 *
 * A reader that read the database before a change and writes the cache after its purge would put the
 * old value back for a whole TTL. So `purge` leaves a marker for a short guard period instead of
 * deleting, readers fill only an empty key (`SET … NX`), and a key being guarded is read from the
 * database until the guard passes.
 */
export class Cache<T> {
  private readonly prefix: string;
  private readonly hits: { inc(n: number): void };
  private readonly misses: { inc(n: number): void };
  constructor(
    private readonly redis: Redis | undefined,
    family: string,
    private readonly options: { ttlSeconds: number; log: Logger; keyPrefix?: string; purgeGuardSeconds?: number },
  ) {
    this.prefix = `${options.keyPrefix ?? ''}${family}:`;
    const labels = { service: family.split(':')[0], cache: family };
    this.hits = cacheLookups.labels({ ...labels, result: 'hit' });
    this.misses = cacheLookups.labels({ ...labels, result: 'miss' });
  }

  /** Values for `keys` in key order: cached ones from Redis, the rest from `load` (then cached). */
  async getMany(keys: readonly string[], load: (missing: string[]) => Promise<Map<string, T>>): Promise<(T | undefined)[]> {
    const found = new Map<string, T>();
    const cached = await this.read(keys);
    keys.forEach((key, i) => { const hit = cached[i]; if (hit !== undefined) found.set(key, hit); });
    if (keys.length) {
      this.hits.inc(found.size);
      this.misses.inc(keys.length - found.size);
    }
    const missing = [...new Set(keys.filter((k) => !found.has(k)))];
    if (missing.length) {
      const loaded = await load(missing);
      for (const [key, value] of loaded) found.set(key, value);
      await this.write(loaded);
    }
    return keys.map((k) => found.get(k));
  }

  async purge(...keys: string[]): Promise<void> {
    if (!this.redis || keys.length === 0) return;
    try {
      const guard = this.options.purgeGuardSeconds ?? DEFAULT_PURGE_GUARD_SECONDS;
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.set(this.prefix + key, PURGED, 'EX', guard);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      // A stale entry would be wrong, not just slow: say so loudly. TTLs bound how long it lives.
      this.options.log.error('cache purge failed', { family: this.prefix, keys: keys.length, error: (error as Error).message });
    }
  }

  private async read(keys: readonly string[]): Promise<(T | undefined)[]> {
    if (!this.redis || keys.length === 0 || this.redis.status !== 'ready') return keys.map(() => undefined);
    try {
      const raw = await this.redis.mget(...keys.map((k) => this.prefix + k));
      return raw.map((r) => (r === null || r === PURGED ? undefined : (JSON.parse(r) as T)));
    } catch (error) {
      this.options.log.warn('cache read failed, using the database', { family: this.prefix, error: (error as Error).message });
      return keys.map(() => undefined);
    }
  }

  private async write(values: Map<string, T>): Promise<void> {
    if (!this.redis || values.size === 0 || this.redis.status !== 'ready') return;
    try {
      const pipeline = this.redis.pipeline();
      // NX: a key that was purged since this value was read holds the marker, and keeps it.
      for (const [key, value] of values) pipeline.set(this.prefix + key, JSON.stringify(value), 'EX', this.options.ttlSeconds, 'NX');
      await pipeline.exec();
    } catch (error) {
      this.options.log.warn('cache write failed', { family: this.prefix, error: (error as Error).message });
    }
  }
}

/**
 * The per-request DataLoader of a hot entity, read through `cache`: one Redis MGET per batch and one
 * `load` (a `WHERE key IN (…)`) for the misses. Keys that `accepts` refuses are answered `otherwise`
 * without touching Redis or the database, so junk keys can neither fill Redis nor fail a query.
 */
export function cachedLoader<C, V>(cache: Cache<C>, options: {
  load: (missing: string[]) => Promise<Map<string, C>>;
  hydrate: (cached: C) => V;
  otherwise: V;
  accepts?: (key: string) => boolean;
}): DataLoader<string, V> {
  return new DataLoader(async (keys) => {
    const valid = options.accepts ? keys.filter(options.accepts) : [...keys];
    const found = await cache.getMany(valid, options.load);
    const byKey = new Map(valid.map((key, i) => [key, found[i]]));
    return keys.map((key) => {
      const cached = byKey.get(key);
      return cached === undefined ? options.otherwise : options.hydrate(cached);
    });
  });
}
