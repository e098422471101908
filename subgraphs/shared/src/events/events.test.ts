import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../../../test/kit/stack';
import { createLogger } from '../logger';
import { createRedis, waitForRedis } from '../redis';
import { StreamConsumer } from './consumer';
import { OutboxRelay, OutboxWriter, outboxIndex, outboxTable, type OutboxEvent } from './outbox';

const log = createLogger({ service: 'test', level: 'silent' });

describe('events between subgraphs: outbox, relay, stream consumer (real PostgreSQL and Redis)', () => {
  let db: DataSource;
  let redis: Redis;
  const keyPrefix = `test:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    db = new DataSource({ type: 'postgres', url: await createTestDatabase() });
    await db.initialize();
    await db.query(`CREATE SCHEMA things`);
    await db.query(outboxTable('things'));
    await db.query(outboxIndex('things'));
    redis = createRedis(inject('redisUrl'), log, 'test');
    await waitForRedis(redis);
  });
  afterAll(async () => { redis?.disconnect(); await db?.destroy(); });

  const write = (n: number) => db.transaction((manager) => new OutboxWriter('things').write(manager, ...Array.from({ length: n }, (_, i) => ({ type: 'thing.made', payload: { n: i } }))));

  it('writes nothing when the transaction that would announce the change rolls back', async () => {
    await expect(db.transaction(async (manager) => {
      await new OutboxWriter('things').write(manager, { type: 'thing.made', payload: { n: -1 } });
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    expect((await db.query(`SELECT count(*)::int AS n FROM things.outbox`))[0].n).toBe(0);
  });

  it('delivers every event in order, and hands a failed one again until its handler succeeds', async () => {
    await write(5);
    const relay = new OutboxRelay(db, redis, { schema: 'things', subgraph: 'things', keyPrefix, log });
    expect(await relay.publishPending()).toBe(5);
    expect(await relay.publishPending()).toBe(0);

    const seen: number[] = [];
    let failures = 1;
    const consumer = new StreamConsumer(createRedis(inject('redisUrl'), log, 'test-consumer', { blocking: true }), { source: 'things', group: 'watchers', consumer: 'c1', keyPrefix, log, blockMs: 100 }, async (event: OutboxEvent) => {
      const n = (event.payload as { n: number }).n;
      if (n === 2 && failures-- > 0) throw new Error('a database hiccup');
      seen.push(n);
    });
    consumer.start();
    await expect.poll(() => seen, { timeout: 10_000, interval: 50 }).toEqual([0, 1, 2, 3, 4]);
    await consumer.stop();
    // Everything was acknowledged: nothing is pending for the group.
    const pending = (await redis.xpending(`${keyPrefix}events:things`, 'watchers')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it('keeps a day of events in the stream: older entries go as new ones are published', async () => {
    const key = `${keyPrefix}events:aged`;
    await redis.xadd(key, '1-1', 'id', '0', 'type', 'ancient', 'payload', '{}');
    await write(1);
    expect(await new OutboxRelay(db, redis, { schema: 'things', subgraph: 'aged', keyPrefix, log }).publishPending()).toBeGreaterThan(0);
    const ids = ((await redis.xrange(key, '-', '+')) as [string, string[]][]).map(([id]) => id);
    expect(ids).not.toContain('1-1');
    expect(ids.length).toBeGreaterThan(0);
  });

  it('keeps events in the outbox while Redis cannot take them', async () => {
    await db.query(`UPDATE things.outbox SET published_at = now() WHERE published_at IS NULL`);
    await write(2);
    const down = createRedis('redis://127.0.0.1:1', log, 'nowhere');
    const relay = new OutboxRelay(db, down, { schema: 'things', subgraph: 'things', keyPrefix, log });
    expect(await relay.publishPending()).toBe(0);
    down.disconnect();
    expect((await db.query(`SELECT count(*)::int AS n FROM things.outbox WHERE published_at IS NULL`))[0].n).toBe(2);
    expect(await new OutboxRelay(db, redis, { schema: 'things', subgraph: 'things', keyPrefix, log }).publishPending()).toBe(2);
  });
});
