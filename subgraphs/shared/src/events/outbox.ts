import type Redis from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';

/**
 * Between subgraphs, events rather than calls. A subgraph that must tell others of a change writes the
 * event into its own `outbox` table in the same transaction as the change (so an event exists exactly when
 * the change does), and a relay publishes committed events to a Redis stream per subgraph
 * (`<prefix>events:<subgraph>`), where each interested subgraph reads them with its own consumer group.
 * Delivery is at least once: consumers apply events idempotently.
 */
export interface OutboxEvent<T = unknown> { type: string; payload: T }

export const outboxTable = (schema: string) => `
  CREATE TABLE ${schema}.outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
  )`;
export const outboxIndex = (schema: string) => `CREATE INDEX outbox_unpublished_idx ON ${schema}.outbox (id) WHERE published_at IS NULL`;

/** Writes events in the caller's transaction. */
export class OutboxWriter {
  constructor(private readonly schema: string) {}
  async write(manager: EntityManager, ...events: OutboxEvent[]): Promise<void> {
    for (const event of events) {
      await manager.query(`INSERT INTO ${this.schema}.outbox (type, payload) VALUES ($1, $2::jsonb)`, [event.type, JSON.stringify(event.payload)]);
    }
  }
}

export const streamKey = (keyPrefix: string, subgraph: string) => `${keyPrefix}events:${subgraph}`;

/** How long events stay in a stream. */
export const STREAM_RETENTION_MS = 24 * 3600_000;

/**
 * Publishes committed, unpublished events in order, a batch at a time. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, so several replicas can relay without publishing an event twice in the usual
 * case (a crash between XADD and the commit publishes it again: consumers are idempotent). When Redis is
 * unreachable nothing is marked and the next round tries again.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly redis: Redis | undefined,
    private readonly options: { schema: string; subgraph: string; keyPrefix: string; log: Logger; intervalMs?: number; batch?: number },
  ) {}

  start(): void {
    if (!this.redis) {
      this.options.log.warn('no Redis: events stay in the outbox until a relay with Redis publishes them', { subgraph: this.options.subgraph });
      return;
    }
    const tick = () => {
      if (this.stopped) return;
      this.running = this.publishPending().catch((error: Error) => {
        this.options.log.warn('outbox relay round failed; will retry', { error: error.message });
        return 0;
      }).then(() => { if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 200); });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round: publishes up to a batch of pending events; returns how many. */
  async publishPending(): Promise<number> {
    if (!this.redis || this.redis.status !== 'ready') return 0;
    const redis = this.redis;
    const key = streamKey(this.options.keyPrefix, this.options.subgraph);
    // Background work: its statements are marked so that counts of what a request costs leave them out.
    const runner = this.db.createQueryRunner();
    runner.data = { ...runner.data, background: true };
    try {
      await runner.connect();
      await runner.startTransaction();
      const published = await this.publishWith(runner.manager, redis, key);
      await runner.commitTransaction();
      return published;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async publishWith(manager: EntityManager, redis: Redis, key: string): Promise<number> {
    const rows = (await manager.query(
      `SELECT id, type, payload FROM ${this.options.schema}.outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [this.options.batch ?? 100],
    )) as { id: string; type: string; payload: unknown }[];
    if (!rows.length) return 0;
    const pipeline = redis.multi();
    // The stream keeps a day of events (consumers read within seconds; a new process looks back 16 minutes), so it
    // does not grow for ever; each XADD evicts what has aged out (work in proportion to what it evicts). The outbox
    // table remains the record.
    const oldest = `${Date.now() - STREAM_RETENTION_MS}-0`;
    for (const row of rows) pipeline.xadd(key, 'MINID', oldest, '*', 'id', String(row.id), 'type', row.type, 'payload', JSON.stringify(row.payload));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('the event stream did not answer');
    await manager.query(`UPDATE ${this.options.schema}.outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    return rows.length;
  }
}
