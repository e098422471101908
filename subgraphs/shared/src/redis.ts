import Redis from 'ioredis';
import type { Logger } from './logger';

/**
 * The one Redis client factory. Commands fail fast when Redis is down (no offline queue, one retry,
 * a command timeout), so a dead Redis costs milliseconds: the cache then falls back to the database
 * and the limiters refuse (they fail closed).
 */
export function createRedis(url: string, log: Logger, name = 'redis', options: { blocking?: boolean } = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A connection that waits on purpose (XREADGROUP BLOCK, for events) must not time its commands out.
    commandTimeout: options.blocking ? undefined : 500,
    connectTimeout: 2_000,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    connectionName: name,
  });
  let healthy = false;
  client.on('ready', () => { healthy = true; log.info('redis ready', { name }); });
  client.on('error', (error) => { if (healthy) log.warn('redis error', { name, error: error.message }); });
  client.on('end', () => { healthy = false; });
  client.on('reconnecting', () => { if (healthy) log.warn('redis reconnecting', { name }); healthy = false; });
  return client;
}

/** Waits until the client is ready, or gives up (the caller decides whether that is fatal). */
export async function waitForRedis(client: Redis, timeoutMs = 3_000): Promise<boolean> {
  if (client.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { client.off('ready', onReady); resolve(false); }, timeoutMs);
    const onReady = () => { clearTimeout(timer); resolve(true); };
    client.once('ready', onReady);
  });
}

/** The shared client when REDIS_URL is set; undefined means the service runs without a shared cache. */
export async function connectRedis(url: string | undefined, log: Logger, name: string): Promise<Redis | undefined> {
  if (!url) {
    log.warn('REDIS_URL is not set: running without the shared cache; limits are counted per process');
    return undefined;
  }
  const client = createRedis(url, log, name);
  if (!(await waitForRedis(client))) log.warn('redis is not reachable yet: the cache goes to the database, limits refuse until it is back');
  return client;
}
