import { DataSource, type EntityManager, type EntitySchema, type Logger as OrmLogger, type MixedList, type QueryRunner } from 'typeorm';
import type { Logger } from './logger';

/**
 * Counts SQL statements. Tests read it to prove that lists are loaded in batches (no N+1);
 * in production it logs failed and slow statements.
 */
export class QueryCounter implements OrmLogger {
  count = 0;
  constructor(private readonly sink?: Logger) {}
  /** Statements of background work (the outbox relay marks its runner) are not a request's cost. */
  logQuery(_query: string, _parameters?: unknown[], runner?: QueryRunner): void { if (!runner?.data?.background) this.count++; }
  logQueryError(error: string | Error, query: string): void {
    this.sink?.warn('sql statement failed', { error: error instanceof Error ? error.message : error, query: query.slice(0, 500) });
  }
  logQuerySlow(time: number, query: string): void { this.sink?.warn('slow sql statement', { ms: time, query: query.slice(0, 500) }); }
  logSchemaBuild(): void {}
  logMigration(message: string): void { this.sink?.info('migration', { message }); }
  log(level: 'log' | 'info' | 'warn', message: unknown): void { if (level === 'warn') this.sink?.warn(String(message)); }
}

export interface DatabaseOptions {
  url: string;
  /** Each subgraph owns one PostgreSQL schema and is the only writer of its tables. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  logger?: Logger;
  poolSize?: number;
  applicationName?: string;
}

export interface Database { dataSource: DataSource; queries: QueryCounter }

/** Connects, creates the subgraph's schema if needed and applies pending migrations (never `synchronize`). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const queries = new QueryCounter(options.logger);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logger: queries,
    maxQueryExecutionTime: 500,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? options.schema,
  });
  await dataSource.initialize();
  // Replicas of one subgraph start together: an advisory lock lets one of them migrate while the
  // others wait, then find nothing left to do.
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${options.schema}`]);
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await lock.release();
    await dataSource.destroy();
    throw error;
  }
  await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${options.schema}`]);
  await lock.release();
  return { dataSource, queries };
}

/**
 * Runs one statement as background work (an event handler, a relay): on its own runner, marked so that
 * the statement counter, which measures what requests cost, leaves it out.
 */
export async function backgroundQuery<T = unknown>(db: DataSource, sql: string, parameters: unknown[] = []): Promise<T> {
  const runner = db.createQueryRunner();
  runner.data = { ...runner.data, background: true };
  try {
    return (await runner.query(sql, parameters)) as T;
  } finally {
    await runner.release();
  }
}

/**
 * Serialises, until the caller's transaction ends, every transaction that takes the same `key` (a PostgreSQL
 * advisory lock on its 64-bit hash): for decisions no row lock can guard, such as "is this identity free".
 */
export async function lockForTransaction(manager: EntityManager, key: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
}
