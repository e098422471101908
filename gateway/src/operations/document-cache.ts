import type Redis from 'ioredis';
import type { Logger } from '../../../subgraphs/shared/src';

/**
 * The key-value cache Apollo Server keeps automatic persisted queries in (its `KeyValueCache<string>`), written out
 * here rather than imported: the interface's package is only a dependency of @apollo/server, at a version of its own.
 * Apollo prefixes every key with `apq:`; the gateway reads the same keys before Apollo does (persisted-operations.ts).
 */
export interface DocumentCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/**
 * Documents in Redis under `<REDIS_KEY_PREFIX><key>` (`nig:apq:<sha256>`), so every gateway replica finds what a
 * client registered on any of them. It fails open: while Redis does not answer, a read is a miss (the client then
 * sends the whole document, which runs) and a write is skipped, logged once when the outage starts and once when it
 * ends. A document always expires: a registration is a write any client can make, so what it stores must not stay.
 */
export class RedisDocumentCache implements DocumentCache {
  private answering = true;

  constructor(private readonly redis: Redis, private readonly keyPrefix: string, private readonly ttlSeconds: number, private readonly log: Logger) {}

  async get(key: string): Promise<string | undefined> {
    try {
      const value = await this.redis.get(this.keyPrefix + key);
      this.answered();
      return value ?? undefined;
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = Math.max(1, Math.ceil(options?.ttl ?? this.ttlSeconds));
    try {
      await this.redis.set(this.keyPrefix + key, value, 'EX', ttl);
      this.answered();
    } catch (error) {
      this.failed(error);
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      const deleted = await this.redis.del(this.keyPrefix + key);
      this.answered();
      return deleted > 0;
    } catch (error) {
      this.failed(error);
      return false;
    }
  }

  private answered(): void {
    if (this.answering) return;
    this.answering = true;
    this.log.info('persisted queries are read from Redis again, shared by every replica');
  }

  private failed(error: unknown): void {
    if (!this.answering) return;
    this.answering = false;
    this.log.warn('redis is not answering: persisted queries are misses until it is back (clients send the whole document, which runs)', { error: (error as Error).message });
  }
}

/**
 * Documents in this process only (no REDIS_URL), least recently used first out once they hold `maxCharacters`, each
 * for `ttlSeconds` like in Redis.
 */
export class MemoryDocumentCache implements DocumentCache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private characters = 0;

  constructor(private readonly ttlSeconds: number, private readonly maxCharacters = 8_000_000) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.remove(key);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, entry);
    this.characters += entry.value.length;
    return entry.value;
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    this.remove(key);
    if (value.length > this.maxCharacters) return;
    this.entries.set(key, { value, expiresAt: Date.now() + (options?.ttl ?? this.ttlSeconds) * 1000 });
    this.characters += value.length;
    for (const oldest of this.entries.keys()) {
      if (this.characters <= this.maxCharacters) break;
      this.remove(oldest);
    }
  }

  async delete(key: string): Promise<boolean> {
    return this.remove(key);
  }

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.characters -= entry.value.length;
    return true;
  }
}
