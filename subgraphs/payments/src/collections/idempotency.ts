import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { BadInputError, ConflictError } from '../../../shared/src';

/** How long the first answer to a key is kept and replayed: at least a day, as the payment networks do. */
export const IDEMPOTENCY_TTL_HOURS = 24;
const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** Stable JSON: keys sorted at every level, bigints as strings, so the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super('This idempotency key was already used for a different request: send a new key for a new request.');
    Object.assign(this.extensions, { reason: 'IDEMPOTENCY_KEY_REUSED' });
  }
}

/**
 * Runs an operation at most once per (caller, key), the way payment providers do: the first successful answer is
 * stored with the key, in the same transaction as the operation, and replayed for every retry with the same
 * request; the same key with another request is CONFLICT. A retry that arrives while the first is still running
 * waits on the key's row (PostgreSQL holds the second INSERT until the first transaction ends) and then replays
 * its answer; if the first failed, nothing was stored and the retry runs. Failures are not stored.
 */
export class IdempotentRunner {
  constructor(private readonly db: DataSource) {}

  async run<S, T>(
    callerId: string, key: string, operation: string, request: unknown,
    work: (manager: EntityManager) => Promise<{ snapshot: S; value: T }>,
    replay: (snapshot: S) => T,
  ): Promise<T> {
    if (!KEY.test(key)) {
      throw new BadInputError('The idempotency key has problems; see extensions.problems.', [{ field: 'idempotencyKey', message: '8 to 128 letters, digits, "_", ".", ":" or "-"; a UUID will do.' }]);
    }
    const hash = createHash('sha256').update(`${operation}\n${canonicalJson(request)}`).digest('hex');
    return this.db.transaction(async (manager) => {
      // A key kept past its day is forgotten here as well as by the hourly sweep.
      await manager.query(`DELETE FROM payments.idempotency_keys WHERE caller_id = $1 AND key = $2 AND expires_at < now()`, [callerId, key]);
      const claimed: unknown[] = await manager.query(
        `INSERT INTO payments.idempotency_keys (caller_id, key, operation, request_hash, response, expires_at)
         VALUES ($1, $2, $3, $4, 'null'::jsonb, now() + make_interval(hours => $5))
         ON CONFLICT (caller_id, key) DO NOTHING RETURNING 1`,
        [callerId, key, operation, hash, IDEMPOTENCY_TTL_HOURS],
      );
      if (!claimed.length) {
        const [stored] = await manager.query(`SELECT operation, request_hash, response FROM payments.idempotency_keys WHERE caller_id = $1 AND key = $2`, [callerId, key]);
        if (!stored || stored.operation !== operation || stored.request_hash !== hash) throw new IdempotencyKeyReusedError();
        return replay(stored.response as S);
      }
      const { snapshot, value } = await work(manager);
      await manager.query(`UPDATE payments.idempotency_keys SET response = $3::jsonb WHERE caller_id = $1 AND key = $2`, [callerId, key, JSON.stringify(snapshot)]);
      return value;
    });
  }

  /** Forgets keys past their day; one replica at a time (the others skip the round). */
  async sweep(): Promise<number> {
    return this.db.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('payments:idempotency-sweep')) AS locked`)) as { locked: boolean }[];
      if (!locked) return 0;
      const [{ n }] = (await manager.query(`WITH gone AS (DELETE FROM payments.idempotency_keys WHERE expires_at < now() RETURNING 1) SELECT count(*)::int AS n FROM gone`)) as { n: number }[];
      return n;
    });
  }

  /** Sweeps every hour until `stop`. */
  start(log: { warn(message: string, fields?: Record<string, unknown>): void }): { stop(): void } {
    const timer = setInterval(() => { this.sweep().catch((error: Error) => log.warn('idempotency key sweep failed; next round retries', { error: error.message })); }, 3600_000);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }
}
