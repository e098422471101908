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

/** One request's hold on its idempotency key: who, which key, and what the request was (its hash). */
export interface IdempotencyClaim { callerId: string; key: string; operation: string; hash: string }

/**
 * The claim of a key as SQL, for the statement that writes the operation's effect: an INSERT of the key row that
 * takes over a row past its day (so no separate DELETE is needed) and otherwise does nothing. PostgreSQL holds a
 * second INSERT of the same key until the first transaction ends, so a retry arriving while the first is still
 * running waits for it and then finds the key taken. `$n` placeholders start at `first`; `response` is the SQL of
 * the answer to store (a parameter, or 'null' until the effect is written).
 */
export function claimSql(first: number, response: string): string {
  return `INSERT INTO payments.idempotency_keys (caller_id, key, operation, request_hash, response, expires_at)
    VALUES ($${first}::uuid, $${first + 1}, $${first + 2}, $${first + 3}, ${response}, now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS}))
    ON CONFLICT (caller_id, key) DO UPDATE
      SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash, response = EXCLUDED.response, created_at = now(), expires_at = EXCLUDED.expires_at
      WHERE payments.idempotency_keys.expires_at < now()
    RETURNING 1`;
}
export const claimParams = (claim: IdempotencyClaim): unknown[] => [claim.callerId, claim.key, claim.operation, claim.hash];

/** Stores the answer of a claimed key, for the statement that writes the effect (placeholders from `first`). */
export function answerSql(first: number): string {
  return `UPDATE payments.idempotency_keys SET response = $${first + 2}::jsonb WHERE caller_id = $${first}::uuid AND key = $${first + 1}`;
}

type Query = (sql: string, params: unknown[]) => Promise<unknown[]>;

/**
 * Runs an operation at most once per (caller, key), the way payment providers do: the first successful answer is
 * stored with the key, by the same statement or transaction that writes the operation's effect, and replayed for
 * every retry with the same request; the same key with another request is CONFLICT. A retry that arrives while the
 * first is still running waits on the key's row and then replays its answer; if the first failed, nothing was
 * stored and the retry runs. Failures are not stored.
 *
 * Two ways to run:
 * - `inTransaction`: for operations that read under locks before they write (a dossier's fee, a reversal). The key
 *   is claimed first, so a retry waits before it reads; the effect's statement stores the answer (`answerSql`).
 * - `inOneStatement`: for operations whose effect is known before touching the database (a bill paid at a counter).
 *   The claim, the movement, its postings and the answer are one statement: one round trip, atomic by itself.
 */
export class IdempotentRunner {
  constructor(private readonly db: DataSource) {}

  /** Checks the key's form and hashes the request (keys sorted, so the same request always hashes the same). */
  claim(callerId: string, key: string, operation: string, request: unknown): IdempotencyClaim {
    if (!KEY.test(key)) {
      throw new BadInputError('The idempotency key has problems; see extensions.problems.', [{ field: 'idempotencyKey', message: '8 to 128 letters, digits, "_", ".", ":" or "-"; a UUID will do.' }]);
    }
    return { callerId, key, operation, hash: createHash('sha256').update(`${operation}\n${canonicalJson(request)}`).digest('hex') };
  }

  /** Claims the key, then runs `work` in the same transaction; `work` stores its answer with `answerSql`. */
  inTransaction<S, T>(claim: IdempotencyClaim, work: (manager: EntityManager) => Promise<T>, replay: (snapshot: S) => T): Promise<T> {
    return this.db.transaction(async (manager) => {
      const claimed: unknown[] = await manager.query(claimSql(1, `'null'::jsonb`), claimParams(claim));
      if (!claimed.length) return replay(await this.storedAnswer<S>((sql, params) => manager.query(sql, params), claim));
      return work(manager);
    });
  }

  /**
   * `prepare` checks the request and returns the statement's effect; `write` runs it with the claim inside and
   * returns null when the key was taken. A request that fails its checks still gets the first answer if its key
   * has one (the same request may fail now for a reason that arose since, a point closed say).
   */
  async inOneStatement<S, T, P>(claim: IdempotencyClaim, prepare: () => P, write: (prepared: P) => Promise<T | null>, replay: (snapshot: S) => T): Promise<T> {
    let prepared: P;
    try {
      prepared = prepare();
    } catch (error) {
      const answered = await this.answerIfAny<S>((sql, params) => this.db.query(sql, params), claim);
      if (answered !== undefined) return replay(answered);
      throw error;
    }
    const written = await write(prepared);
    if (written !== null) return written;
    // The key was taken: its first answer, read by a new statement (so it sees the first request's commit).
    return replay(await this.storedAnswer<S>((sql, params) => this.db.query(sql, params), claim));
  }

  /** The answer stored for a taken key; CONFLICT when the key was used for another request. */
  private async storedAnswer<S>(query: Query, claim: IdempotencyClaim): Promise<S> {
    const answer = await this.answerIfAny<S>(query, claim);
    if (answer === undefined) throw new IdempotencyKeyReusedError();
    return answer;
  }

  /** The answer stored for this key and request if there is one still in its day; undefined if none. */
  private async answerIfAny<S>(query: Query, claim: IdempotencyClaim): Promise<S | undefined> {
    const [stored] = (await query(
      `SELECT operation, request_hash, response FROM payments.idempotency_keys WHERE caller_id = $1 AND key = $2 AND expires_at >= now()`, [claim.callerId, claim.key],
    )) as { operation: string; request_hash: string; response: S | null }[];
    if (!stored || stored.response === null) return undefined;
    if (stored.operation !== claim.operation || stored.request_hash !== claim.hash) throw new IdempotencyKeyReusedError();
    return stored.response;
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
