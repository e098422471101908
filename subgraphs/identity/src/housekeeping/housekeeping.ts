import type { DataSource } from 'typeorm';
import type { Logger } from '../../../shared/src';

/** Registrations that never became an account are kept this long after they lapsed (for support questions), then go. */
export const LAPSED_CLAIM_RETENTION_DAYS = 7;
/** Identity QR codes nobody scanned are kept a day after they expired; scanned ones are the verification record and stay. */
export const UNUSED_QR_RETENTION_DAYS = 1;
const SWEEP_EVERY_MS = 3600_000;

export interface SweepResult { claims: number; challenges: number; qrCodes: number }

/**
 * Deletes what identity no longer needs: registration claims that lapsed without becoming an account (each holds
 * the scrypt hash of a password someone typed, and a decoy claim holds a stranger's attempt) with their codes, and
 * QR codes that expired unscanned. Confirmed claims and scanned codes are records and stay. One replica sweeps at a
 * time (a transaction-scoped advisory lock; the others skip the round).
 */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: DataSource, private readonly log: Logger) {}

  start(): void {
    const round = () => { this.sweep().catch((error: Error) => this.log.warn('housekeeping round failed; next round retries', { error: error.message })); };
    this.timer = setInterval(round, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<SweepResult> {
    return this.db.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('identity:housekeeping')) AS locked`)) as { locked: boolean }[];
      if (!locked) return { claims: 0, challenges: 0, qrCodes: 0 };
      const lapsed = `SELECT id FROM identity.registration_claims WHERE status <> 'CONFIRMED' AND expires_at < now() - make_interval(days => $1)`;
      // Counted through a CTE: a bare DELETE answers TypeORM with [rows, count], a SELECT with rows.
      const deleted = async (sql: string, days: number) =>
        ((await manager.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, [days])) as { n: number }[])[0].n;
      const challenges = await deleted(`DELETE FROM identity.otp_challenges WHERE claim_id IN (${lapsed})`, LAPSED_CLAIM_RETENTION_DAYS);
      const claims = await deleted(`DELETE FROM identity.registration_claims WHERE id IN (${lapsed})`, LAPSED_CLAIM_RETENTION_DAYS);
      const qrCodes = await deleted(`DELETE FROM identity.qr_codes WHERE used_at IS NULL AND expires_at < now() - make_interval(days => $1)`, UNUSED_QR_RETENTION_DAYS);
      const result = { claims, challenges, qrCodes };
      if (result.claims || result.qrCodes) this.log.info('housekeeping: lapsed registrations and unscanned QR codes deleted', { ...result });
      return result;
    });
  }
}
