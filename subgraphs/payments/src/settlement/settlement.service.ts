import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AGENCY_CODE, assertCan, ConflictError, decodeCursor, isUuid, lockForTransaction, pageSize, todayInVietnam, toConnection,
  type Connection, type Logger, type Principal,
} from '../../../shared/src';
import { PaymentChannel, PaymentPurpose, PaymentType } from '../collections/payment.entity';
import { LedgerAccounts, transfer, writeLedgerTransaction } from '../ledger/ledger';
import { SettlementBatch } from './settlement-batch.entity';
import { checkBatchRequest, settledThrough } from './settlement.rules';
import type { SettlementBatchItem } from './settlement.types';

/**
 * A movement's signed effect on what the agency is owed, in SQL (alias `m`): a collection adds its amount, a
 * disbursement paid out for the agency and a refund take theirs away, a reversal undoes its original (looked up by
 * its key only for reversals). Anything else has no effect defined and the NOT NULL column refuses it.
 */
export const AGENCY_EFFECT_SQL = `
  CASE m.type
    WHEN 'COLLECTION' THEN m.amount
    WHEN 'DISBURSEMENT' THEN -m.amount
    WHEN 'REFUND' THEN -m.amount
    WHEN 'REVERSAL' THEN CASE (SELECT o.type FROM payments.payments o WHERE o.business_date = m.original_business_date AND o.id = m.original_id)
      WHEN 'COLLECTION' THEN -m.amount WHEN 'DISBURSEMENT' THEN m.amount WHEN 'REFUND' THEN m.amount END
  END`;

/**
 * Closes a batch in one statement: the agency's movements dated after what the previous batch settled through and
 * on or before the day, less those already in a batch, become its items, and the batch row carries their sums
 * (computed by PostgreSQL). Parameters: 1 batch id, 2 agency, 3 day, 4 settled through, 5 closed by, then
 * optionally 6 the previous batch's settled-through day and 7 its business day.
 */
function closeSql(previous: boolean): string {
  const after = previous ? 'AND m.business_date > $6::date' : '';
  return `
    WITH settled AS (
      -- What the agency's recent batches already hold of the days looked at (their items are in those batches only).
      SELECT s.business_date, s.payment_id FROM payments.settlement_batch_items s
      WHERE s.batch_id IN (SELECT b.id FROM payments.settlement_batches b WHERE b.agency_code = $2 ${previous ? 'AND b.business_date > $6::date' : ''})
        ${previous ? 'AND s.business_date > $6::date' : ''} AND s.business_date <= $3::date
    ),
    pending AS MATERIALIZED (
      SELECT m.business_date, m.id AS payment_id, ${AGENCY_EFFECT_SQL} AS effect,
             ${previous ? 'm.business_date <= $7::date OR ' : ''}CASE WHEN m.original_id IS NULL THEN false ELSE EXISTS (
               SELECT 1 FROM payments.settlement_batch_items c WHERE c.business_date = m.original_business_date AND c.payment_id = m.original_id) END AS is_adjustment
      FROM payments.payments m
      WHERE m.agency_code = $2 AND m.business_date <= $3::date ${after}
        AND NOT EXISTS (SELECT 1 FROM settled WHERE settled.business_date = m.business_date AND settled.payment_id = m.id)
    ),
    batch AS (
      INSERT INTO payments.settlement_batches (id, agency_code, business_date, settled_through, total, item_count, adjustment_count, adjustment_total, closed_by_account_id)
      SELECT $1, $2, $3::date, $4::date, coalesce(sum(effect), 0), count(*), count(*) FILTER (WHERE is_adjustment),
             coalesce(sum(effect) FILTER (WHERE is_adjustment), 0), $5
      FROM pending
      RETURNING *
    ),
    items AS (
      INSERT INTO payments.settlement_batch_items (batch_id, business_date, payment_id, effect, is_adjustment)
      SELECT (SELECT id FROM batch), business_date, payment_id, effect, is_adjustment FROM pending
    )
    SELECT id, agency_code, business_date::text AS business_date, settled_through::text AS settled_through, total::text AS total,
           item_count, adjustment_count, adjustment_total::text AS adjustment_total, closed_by_account_id, closed_at
    FROM batch`;
}

interface BatchRow {
  id: string; agency_code: string; business_date: string; settled_through: string; total: string; item_count: number;
  adjustment_count: number; adjustment_total: string; closed_by_account_id: string; closed_at: Date;
}

interface ItemRow {
  payment_id: string; business_date: string; type: PaymentType; purpose: PaymentPurpose; channel: PaymentChannel; postal_point_code: string | null;
  amount: string; effect: string; is_adjustment: boolean; original_id: string | null; recorded_at: Date;
}

/** Settlement with beneficiary agencies (quyết toán): closing batches and reading them. */
export class SettlementService {
  /** `now` decides which business day is today (Vietnam's). */
  constructor(private readonly db: DataSource, private readonly log: Logger, private readonly now: () => Date = () => new Date()) {}

  /**
   * Closes the agency's batch for a business day (today or earlier): level-2 finance. Batches of an agency close in
   * date order, one per day (again: CONFLICT). Closes of one agency are serialised by a lock held to the end of the
   * transaction, and each movement can be in one batch only (a unique key), so two finance officers closing at once
   * never settle a movement twice. The agency is then owed nothing for these movements any more:
   * AGENCY_PAYABLE:<agency> +total, SETTLEMENT_BANK −total (the other way round when the total is negative; nothing
   * for zero).
   */
  async close(principal: Principal | null, agencyCodeGiven: string, businessDate: string): Promise<SettlementBatch> {
    const by = assertCan(principal, 'settlement.close', { agencyCode: agencyCodeGiven.trim().toUpperCase() }, 'Only finance closes settlement batches.');
    const agencyCode = checkBatchRequest(agencyCodeGiven, businessDate, this.now());
    const batch = await this.db.transaction(async (manager) => {
      await lockForTransaction(manager, `payments:settlement:${agencyCode}`);
      const [previous]: { business_date: string; settled_through: string }[] = await manager.query(
        `SELECT business_date::text AS business_date, settled_through::text AS settled_through FROM payments.settlement_batches
         WHERE agency_code = $1 ORDER BY business_date DESC LIMIT 1`, [agencyCode]);
      if (previous?.business_date === businessDate) throw new ConflictError(`The batch of ${agencyCode} for ${businessDate} is already closed; a closed batch never changes.`);
      if (previous && previous.business_date > businessDate) {
        throw new ConflictError(`Batches of an agency close in date order: ${agencyCode}'s latest is for ${previous.business_date}.`);
      }
      await this.ensurePartitions(manager, agencyCode, businessDate, previous?.settled_through ?? null);
      const through = settledThrough(businessDate, todayInVietnam(this.now()), previous?.settled_through ?? null);
      const id = randomUUID();
      const params = [id, agencyCode, businessDate, through, by.accountId, ...(previous ? [previous.settled_through, previous.business_date] : [])];
      const [row]: BatchRow[] = await manager.query(closeSql(!!previous), params);
      const closed = batchOf(row);
      if (closed.total !== 0n) {
        await manager.query(`SELECT payments.ensure_month_partitions($1::date)`, [businessDate]);
        await writeLedgerTransaction(manager, businessDate, id, transfer(LedgerAccounts.agencyPayable(agencyCode), LedgerAccounts.settlementBank, closed.total));
      }
      return closed;
    });
    this.log.info('settlement batch closed', {
      batchId: batch.id, agencyCode, businessDate, total: batch.total.toString(), items: batch.itemCount, adjustments: batch.adjustmentCount, by: by.accountId,
    });
    return batch;
  }

  /** The item partitions of every month the close may write to: from the first day it looks at to the batch's day. */
  private async ensurePartitions(manager: EntityManager, agencyCode: string, businessDate: string, after: string | null): Promise<void> {
    let from = after;
    if (from === null) {
      const [{ first }] = await manager.query(
        `SELECT min(business_date)::text AS first FROM payments.payments WHERE agency_code = $1 AND business_date <= $2::date`, [agencyCode, businessDate]);
      from = first ?? businessDate;
    }
    await manager.query(
      `SELECT payments.ensure_settlement_item_partitions(m::date) FROM generate_series(date_trunc('month', $1::date), $2::date, interval '1 month') AS m`,
      [from, businessDate]);
  }

  /** A batch by id, for finance; null when there is none. */
  async byId(principal: Principal | null, id: string): Promise<SettlementBatch | null> {
    const batch = isUuid(id) ? await this.db.getRepository(SettlementBatch).findOneBy({ id: id.toLowerCase() }) : null;
    assertCan(principal, 'settlement.read', { agencyCode: batch?.agencyCode ?? null }, 'Only finance reads settlement batches.');
    return batch;
  }

  /** Batches newest day first (then by agency), optionally of one agency: finance. */
  async list(principal: Principal | null, agencyCodeGiven: string | null | undefined, first?: number | null, after?: string | null): Promise<Connection<SettlementBatch>> {
    const agencyCode = agencyCodeGiven?.trim().toUpperCase() || null;
    assertCan(principal, 'settlement.read', { agencyCode }, 'Only finance reads settlement batches.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['string', 'string']) as [string, string] | undefined;
    if (agencyCode !== null && !AGENCY_CODE.test(agencyCode)) return toConnection([], size, () => [], !!cursor);
    const query = this.db.getRepository(SettlementBatch).createQueryBuilder('b')
      .orderBy('b.business_date', 'DESC').addOrderBy('b.agency_code', 'ASC').limit(size + 1);
    if (agencyCode) query.andWhere('b.agency_code = :agencyCode', { agencyCode });
    if (cursor) query.andWhere('(b.business_date < :day OR (b.business_date = :day AND b.agency_code > :agency))', { day: cursor[0], agency: cursor[1] });
    return toConnection(await query.getMany(), size, (b) => [b.businessDate, b.agencyCode], !!cursor);
  }

  /** A batch's items in (business day, movement id) order. The batch was shown to the caller already. */
  async items(batchId: string, first?: number | null, after?: string | null): Promise<Connection<SettlementBatchItem>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['string', 'uuid']);
    const params: unknown[] = [batchId, size + 1];
    const from = cursor ? `AND (s.business_date, s.payment_id) > ($${params.push(cursor[0])}::date, $${params.push(cursor[1])}::uuid)` : '';
    const rows: ItemRow[] = await this.db.query(`
      SELECT s.payment_id, s.business_date::text AS business_date, p.type, p.purpose, p.channel, p.postal_point_code, p.amount::text AS amount,
             s.effect::text AS effect, s.is_adjustment, p.original_id, p.recorded_at
      FROM payments.settlement_batch_items s
      JOIN payments.payments p ON p.business_date = s.business_date AND p.id = s.payment_id
      WHERE s.batch_id = $1 ${from}
      ORDER BY s.business_date, s.payment_id LIMIT $2`, params);
    const items = rows.map((r): SettlementBatchItem => ({
      paymentId: r.payment_id, businessDate: r.business_date, type: r.type, purpose: r.purpose, channel: r.channel, postalPointCode: r.postal_point_code,
      amount: BigInt(r.amount), effect: BigInt(r.effect), isAdjustment: r.is_adjustment, originalPaymentId: r.original_id, recordedAt: r.recorded_at,
    }));
    return toConnection(items, size, (item) => [item.businessDate, item.paymentId], !!cursor);
  }
}

function batchOf(row: BatchRow): SettlementBatch {
  return Object.assign(new SettlementBatch(), {
    id: row.id, agencyCode: row.agency_code, businessDate: row.business_date, settledThrough: row.settled_through, total: BigInt(row.total),
    itemCount: row.item_count, adjustmentCount: row.adjustment_count, adjustmentTotal: BigInt(row.adjustment_total),
    closedByAccountId: row.closed_by_account_id, closedAt: row.closed_at,
  });
}
