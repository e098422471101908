import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';

/** A request's place among its client's requests in flight; released when its response is over (twice is harmless). */
export interface Slot { release(): void }

/** Hears whether Redis answered (so an outage is logged once, not per request). */
export interface RedisHealth { ok(): void; failed(): void }

/**
 * How long a slot stays counted without news from the replica that holds it. A live replica renews its slots every
 * third of it, so a request may run as long as it needs; a replica that crashed (or lost its network) renews nothing,
 * and its slots drop out of every count within this time: no client stays blocked by requests that no longer exist.
 */
export const DEFAULT_SLOT_LEASE_MS = 30_000;

/**
 * One atomic step per request: drop the slots whose lease has run out, count the rest, and take one if fewer than
 * the cap are in flight. Times are Redis's own clock (TIME), so replicas whose clocks disagree still agree on a lease.
 * The key expires with the newest lease, so an idle client leaves nothing behind.
 * KEYS[1] = the client's sorted set (member: a slot id, score: when its lease was last renewed, in ms);
 * ARGV = lease ms, cap, slot id. Returns the slots in flight with this one, or -1 when the cap is reached.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - lease)
local inFlight = redis.call('ZCARD', KEYS[1])
if inFlight >= tonumber(ARGV[2]) then return -1 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], lease)
return inFlight + 1`;

/** Renews this replica's slots of one client (XX: a slot already released or dropped is not brought back). ARGV = lease ms, slot ids. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

interface SlotCommands {
  gatewaySlotAcquire(key: string, leaseMs: number, cap: number, slotId: string): Promise<number>;
  gatewaySlotRenew(key: string, leaseMs: number, ...slotIds: string[]): Promise<number>;
}

/**
 * Requests in flight per client, shared by every replica through Redis: a sorted set of slot ids per client, each
 * with a lease (see DEFAULT_SLOT_LEASE_MS). Chosen over INCR/DECR with a TTL: a counter cannot tell which of its
 * units belong to a replica that died, so its TTL would have to outlast the longest request and would keep being
 * refreshed by the live replicas, never freeing the dead one's share; here each slot ages out on its own.
 *
 * Without Redis, or while it cannot be reached, slots are counted in this process (each replica then allows the cap):
 * the gateway keeps answering rather than turn every request away because Redis is down.
 *
 * Keys: `<REDIS_KEY_PREFIX>limit:gateway-concurrency:<client>`.
 */
export class ConcurrencyLimiter {
  private readonly local = new Map<string, number>();
  /** This replica's slots in Redis, by key: the ones the heartbeat renews. */
  private readonly held = new Map<string, Set<string>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly leaseMs: number;
  private readonly health: RedisHealth | undefined;

  constructor(private readonly redis: Redis | undefined, private readonly keyPrefix: string, options: { leaseMs?: number; health?: RedisHealth } = {}) {
    this.leaseMs = options.leaseMs ?? DEFAULT_SLOT_LEASE_MS;
    this.health = options.health;
    if (redis && !('gatewaySlotAcquire' in redis)) {
      redis.defineCommand('gatewaySlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
      redis.defineCommand('gatewaySlotRenew', { numberOfKeys: 1, lua: RENEW });
    }
    this.heartbeat = setInterval(() => { void this.renew(); }, Math.max(10, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** A slot, or null when `cap` requests of this client are already in flight (on any replica). */
  async acquire(client: string, cap: number): Promise<Slot | null> {
    const key = this.keyOf(client);
    if (this.redis && this.redis.status === 'ready') {
      const slotId = randomUUID();
      try {
        const inFlight = await (this.redis as unknown as SlotCommands).gatewaySlotAcquire(key, this.leaseMs, cap, slotId);
        this.health?.ok();
        if (inFlight < 0) return null;
        this.hold(key, slotId);
        return this.redisSlot(key, slotId);
      } catch {
        this.health?.failed();
      }
    } else if (this.redis) {
      this.health?.failed();
    }
    return this.localSlot(key, cap);
  }

  /** The Redis key a client's slots live under (tests read it). */
  keyOf(client: string): string {
    return `${this.keyPrefix}limit:gateway-concurrency:${client}`;
  }

  /**
   * Stops renewing. Slots still held are not released: a process that stops with requests in flight is, for the others,
   * exactly a crashed one, and its slots age out with their lease.
   */
  stop(): void {
    clearInterval(this.heartbeat);
  }

  private redisSlot(key: string, slotId: string): Slot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const slots = this.held.get(key);
        slots?.delete(slotId);
        if (slots?.size === 0) this.held.delete(key);
        // Best effort: a slot that cannot be removed now ages out with its lease.
        this.redis!.zrem(key, slotId).catch(() => undefined);
      },
    };
  }

  private localSlot(key: string, cap: number): Slot | null {
    const inFlight = this.local.get(key) ?? 0;
    if (inFlight >= cap) return null;
    this.local.set(key, inFlight + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.local.get(key) ?? 1) - 1;
        if (left > 0) this.local.set(key, left); else this.local.delete(key);
      },
    };
  }

  private hold(key: string, slotId: string): void {
    const slots = this.held.get(key) ?? new Set<string>();
    slots.add(slotId);
    this.held.set(key, slots);
  }

  private async renew(): Promise<void> {
    if (!this.redis || this.redis.status !== 'ready' || this.held.size === 0) return;
    const commands = this.redis as unknown as SlotCommands;
    await Promise.all([...this.held].map(([key, slots]) => commands.gatewaySlotRenew(key, this.leaseMs, ...slots).catch(() => undefined)));
  }
}
