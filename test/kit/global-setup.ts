import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, startRedisServer, type LocalPostgres, type LocalRedis } from '../../scripts/lib/local-services';

declare module 'vitest' {
  export interface ProvidedContext { postgresUrl: string; redisUrl: string }
}

/**
 * One real PostgreSQL and one real Redis for the whole run; each test file then gets its own database
 * and its own Redis key prefix (see stack.ts), so files run in parallel without seeing each other.
 * DATABASE_URL / REDIS_URL point the run at existing servers instead.
 */
export default async function setup(project: TestProject) {
  let postgres: LocalPostgres | undefined;
  let redis: LocalRedis | undefined;
  try {
    postgres = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres();
    redis = process.env.REDIS_URL ? undefined : await startRedisServer();
  } catch (error) {
    await postgres?.stop();
    throw error;
  }
  project.provide('postgresUrl', process.env.DATABASE_URL ?? postgres!.url);
  project.provide('redisUrl', process.env.REDIS_URL ?? redis!.url);
  return async () => {
    await redis?.stop();
    await postgres?.stop();
  };
}
