import type Redis from 'ioredis';
import type { Logger } from '../logger';
import { waitForRedis } from '../redis';
import { streamKey, type OutboxEvent } from './outbox';

export type EventHandler = (event: OutboxEvent & { id: string }) => Promise<void>;

/** One handler made of several, each picking the event types it knows (in order). */
export function everyHandler(...handlers: EventHandler[]): EventHandler {
  return async (event) => { for (const handle of handlers) await handle(event); };
}

/**
 * Reads another subgraph's event stream with this subgraph's own consumer group: every event is handed to
 * `handle` and acknowledged only when it succeeds, so an event that fails (a database hiccup) is handed
 * again later. Handlers must be idempotent (delivery is at least once). The client given must be a
 * dedicated connection: XREADGROUP blocks it.
 */
export class StreamConsumer {
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: { source: string; group: string; consumer: string; keyPrefix: string; log: Logger; blockMs?: number },
    private readonly handle: EventHandler,
  ) {}

  private get key(): string { return streamKey(this.options.keyPrefix, this.options.source); }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.redis.disconnect();
    // A blocked read on a connection that was already lost may never settle once disconnected: do not wait for it
    // longer than a moment (nothing is lost: an event not acknowledged is handed again to the next consumer).
    await settleWithin(this.loop, 2_000);
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, this.options.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) throw error;
    }
  }

  private async run(): Promise<void> {
    // The connection is made in the background: wait for it rather than fail (and warn) on the first command.
    await waitForRedis(this.redis, 5_000);
    let groupReady = false;
    // First what this consumer was handed but never acknowledged (a crash, a failed handler), then new events.
    let cursor = '0';
    while (!this.stopped) {
      try {
        if (!groupReady) { await this.ensureGroup(); groupReady = true; }
        const answer = (await this.redis.xreadgroup('GROUP', this.options.group, this.options.consumer, 'COUNT', 100, 'BLOCK', this.options.blockMs ?? 1000, 'STREAMS', this.key, cursor)) as [string, [string, string[]][]][] | null;
        const entries = answer?.[0]?.[1] ?? [];
        if (cursor !== '>' && entries.length === 0) { cursor = '>'; continue; }
        for (const [streamId, fields] of entries) {
          const field = (name: string) => fields[fields.indexOf(name) + 1];
          try {
            await this.handle({ id: field('id'), type: field('type'), payload: JSON.parse(field('payload')) });
            await this.redis.xack(this.key, this.options.group, streamId);
          } catch (error) {
            this.options.log.warn('event handler failed; the event will be handed again', { source: this.options.source, type: field('type'), error: (error as Error).message });
            cursor = '0';
            await new Promise((r) => setTimeout(r, 500));
            break;
          }
        }
      } catch (error) {
        if (this.stopped) return;
        this.options.log.warn('event stream not readable; retrying', { source: this.options.source, error: (error as Error).message });
        groupReady = false;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

/** Waits for `work` to settle (success or failure), at most `ms`. */
export async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); timer.unref(); })]);
  if (timer) clearTimeout(timer);
}
