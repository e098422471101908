import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type DataLoader from 'dataloader';
import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import {
  AGENCY_CODE, assertCan, BadInputError, can, ConflictError, decodeCursor, isUuid, lockForTransaction, NotFoundError, pageSize, todayInVietnam, toConnection,
  Role, type Connection, type FieldProblem, type Logger, type Principal,
} from '../../../shared/src';
import type { FeeSchedule } from '../fee-schedules/fee-schedule.types';
import { feeScheduleInForce, FeeScheduleMissingError } from '../fee-schedules/fee-schedule.service';
import { balanced, LedgerAccounts, mirrored, transfer, type Posting } from '../ledger/ledger';
import type { PostalPoint } from '../postal-points/postal-point.entity';
import { answerSql, claimParams, claimSql, IdempotentRunner, type IdempotencyClaim } from './idempotency';
import { Payment, PaymentChannel, PaymentPurpose, PaymentType, paymentFrom, snapshotOf, type PaymentSnapshot } from './payment.entity';
import type { CollectPaymentInput, RefundPaymentInput, ReversePaymentInput } from './collection.types';

const MAX_AMOUNT = 100_000_000_000n;
const BILL_REFERENCE = /^[A-Za-z0-9_.\-/]{1,64}$/;

/** What a collection reads through the request's loaders before its transaction. */
interface LookedUp { postalPoint: PostalPoint | null; feeTotal: bigint | null }

/** A movement as checked, before writing gives it its id, day and instant; and its ledger postings. */
interface NewMovement {
  movement: Omit<Payment, 'id' | 'businessDate' | 'recordedByAccountId' | 'recordedByRole' | 'recordedAt'>;
  postings: Posting[];
}

/** A collection's input, checked and normalised before any dossier is read. */
interface CheckedCollection {
  atCounter: boolean;
  dossierId: string | null;
  billReference: string | null;
  agencyCode: string | null;
  payerAccountId: string | null;
}

type Query = (sql: string, params: unknown[]) => Promise<unknown[]>;

const isForDossier = (purpose: PaymentPurpose) => purpose === PaymentPurpose.DOSSIER_FEE || purpose === PaymentPurpose.CASH_ON_DELIVERY;

const isAtCounter = (principal: Principal) => principal.postalPointCode !== undefined && (principal.role === Role.POSTAL_CLERK || principal.role === Role.POSTAL_SUPERVISOR);

/** What payments knows of a dossier, from documents' `dossier.statusChanged` events. */
export interface DossierFacts {
  id: string;
  service_code: string;
  agency_code: string;
  applicant_account_id: string | null;
  organisation_id: string | null;
  status: string;
  delivery_method: string;
  cash_on_delivery: string | null;
  submitted_at: Date;
}

/** The loaders a collection needs from the request. */
export interface CollectionLoaders {
  postalPoints: DataLoader<string, PostalPoint | null>;
  feeSchedules: DataLoader<string, FeeSchedule | null>;
}

/** Signed effect on what a dossier has paid: collections count, reversals and refunds take back. */
const PAID = `sum(CASE WHEN type = 'COLLECTION' THEN amount ELSE -amount END)`;
const PAID_SQL = `
  SELECT coalesce(${PAID}, 0)::text AS paid
  FROM payments.payments
  WHERE dossier_id = $1 AND purpose = $2 AND business_date >= $3::date`;

/**
 * Collections, disbursements, reversals and refunds. Every one runs once per idempotency key, writes its movement
 * and its balanced ledger postings in one transaction, and is never changed afterwards.
 */
export class CollectionService {
  private readonly idempotent: IdempotentRunner;
  /** Months whose partitions this process has made sure of. */
  private readonly months = new Set<string>();

  /** `now` is the clock a movement's instant and business day come from (tests move it across midnight). */
  /**
   * Runs a statement on the pool as a named prepared statement: PostgreSQL parses and plans the one-statement
   * collection once per connection instead of at every request (TypeORM's query has no names).
   */
  private readonly prepared: Query;

  constructor(private readonly db: DataSource, private readonly log: Logger, private readonly now: () => Date = () => new Date()) {
    this.idempotent = new IdempotentRunner(db);
    const pool = (db.driver as PostgresDriver).master as Pool;
    const names = new Map<string, string>();
    this.prepared = async (text, values) => {
      let name = names.get(text);
      if (!name) names.set(text, name = `payments_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
      return (await pool.query({ name, text, values })).rows;
    };
  }

  /** Forgets idempotency keys past their day now (one replica at a time); returns how many. */
  sweepIdempotencyKeys(): Promise<number> {
    return this.idempotent.sweep();
  }

  /** Forgets idempotency keys past their day, every hour, until the returned handle is stopped. */
  startSweeping(): { stop(): void } {
    return this.idempotent.start(this.log);
  }

  /**
   * A bill payment or a disbursement is checked in full before the database is touched, and then written in one
   * statement with its key (one round trip). A dossier's fee or cash on delivery reads what is still due under the
   * dossier's lock, in a transaction whose first statement claims the key.
   */
  async collect(principal: Principal, input: CollectPaymentInput, loaders: CollectionLoaders): Promise<Payment> {
    const { idempotencyKey, ...request } = input;
    const claim = this.idempotent.claim(principal.accountId, idempotencyKey, 'collectPayment', request);
    // What the request's loaders read (each on a connection of its own, cached in Redis) is read before the
    // transaction: a transaction holding a connection while it waits for another could starve the pool.
    const looked = await this.lookUp(principal, input, loaders);
    if (!isForDossier(input.purpose)) {
      return this.idempotent.inOneStatement<PaymentSnapshot, Payment, NewMovement>(claim,
        () => this.withoutDossier(principal, input, looked),
        (prepared) => this.write(this.prepared, prepared, principal, claim, 'claim'), paymentFrom);
    }
    return this.idempotent.inTransaction<PaymentSnapshot, Payment>(claim, async (manager) => {
      const prepared = await this.dossierMovement(manager, principal, input, looked);
      return (await this.write((sql, params) => manager.query(sql, params), prepared, principal, claim, 'answer'))!;
    }, paymentFrom);
  }

  reverse(principal: Principal, input: ReversePaymentInput): Promise<Payment> {
    const { idempotencyKey, ...request } = input;
    const claim = this.idempotent.claim(principal.accountId, idempotencyKey, 'reversePayment', request);
    return this.idempotent.inTransaction<PaymentSnapshot, Payment>(claim, async (manager) => {
      const prepared = await this.reversal(manager, principal, input);
      return (await this.write((sql, params) => manager.query(sql, params), prepared, principal, claim, 'answer'))!;
    }, paymentFrom);
  }

  refund(principal: Principal, input: RefundPaymentInput): Promise<Payment> {
    const { idempotencyKey, ...request } = input;
    const claim = this.idempotent.claim(principal.accountId, idempotencyKey, 'refundPayment', request);
    return this.idempotent.inTransaction<PaymentSnapshot, Payment>(claim, async (manager) => {
      const prepared = await this.refundOf(manager, principal, input);
      return (await this.write((sql, params) => manager.query(sql, params), prepared, principal, claim, 'answer'))!;
    }, paymentFrom);
  }

  /** The caller's postal point and, for a dossier's fee, its service's fee total today (null where none applies). */
  private async lookUp(principal: Principal, input: CollectPaymentInput, loaders: CollectionLoaders): Promise<LookedUp> {
    const postalPoint = isAtCounter(principal) ? await loaders.postalPoints.load(principal.postalPointCode!) : null;
    let feeTotal: bigint | null = null;
    const dossierId = input.dossierId?.trim().toLowerCase();
    if (input.purpose === PaymentPurpose.DOSSIER_FEE && dossierId && isUuid(dossierId)) {
      const read = async () => ((await this.db.query(`SELECT service_code FROM payments.dossiers WHERE id = $1`, [dossierId])) as { service_code: string }[])[0];
      let facts = await read();
      // A dossier reaches payments from documents' events a few milliseconds after it is submitted: a portal that
      // pays at once waits for it briefly here (outside any transaction) rather than being told it does not exist.
      for (let tries = 0; !facts && tries < DOSSIER_WAIT_TRIES; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, DOSSIER_WAIT_MS));
        facts = await read();
      }
      if (facts) feeTotal = (await feeScheduleInForce(loaders.feeSchedules, facts.service_code)).total;
    }
    return { postalPoint, feeTotal };
  }

  /** Checks the input and the caller's right to collect at a counter; throws BAD_USER_INPUT naming every problem. */
  private checked(principal: Principal, input: CollectPaymentInput): CheckedCollection {
    const atCounter = isAtCounter(principal);
    if (atCounter) assertCan(principal, 'payment.collectAtCounter', { postalPointCode: principal.postalPointCode! }, 'Only a level-2 clerk or supervisor collects at their own postal point.');
    const problems: FieldProblem[] = [];
    const amount = input.amount;
    if (amount <= 0n || amount > MAX_AMOUNT) problems.push({ field: 'amount', message: 'A positive number of đồng, at most 100 billion.' });
    const forDossier = isForDossier(input.purpose);
    const dossierId = input.dossierId?.trim().toLowerCase() || null;
    if (forDossier && !dossierId) problems.push({ field: 'dossierId', message: `A ${input.purpose} names its dossier.` });
    if (!forDossier && dossierId) problems.push({ field: 'dossierId', message: `A ${input.purpose} is not for a dossier.` });
    if (dossierId && !isUuid(dossierId)) problems.push({ field: 'dossierId', message: 'Not a dossier id.' });
    const billReference = input.billReference?.trim() || null;
    if (input.purpose === PaymentPurpose.BILL_PAYMENT && (!billReference || !BILL_REFERENCE.test(billReference))) problems.push({ field: 'billReference', message: 'The bill or customer code: 1 to 64 letters, digits, ".", "-", "_" or "/".' });
    if (input.purpose !== PaymentPurpose.BILL_PAYMENT && billReference) problems.push({ field: 'billReference', message: 'Only a bill payment has a bill reference.' });
    const agencyGiven = input.agencyCode?.trim().toUpperCase() || null;
    if (!forDossier && (!agencyGiven || !AGENCY_CODE.test(agencyGiven))) problems.push({ field: 'agencyCode', message: 'The beneficiary agency\'s code.' });
    if (input.purpose === PaymentPurpose.DISBURSEMENT && !atCounter) problems.push({ field: 'purpose', message: 'A disbursement is paid out at a postal counter.' });
    if (input.purpose === PaymentPurpose.CASH_ON_DELIVERY && !atCounter) problems.push({ field: 'purpose', message: 'Cash on delivery is collected at the door by the postal service and recorded at its postal point.' });
    const payerGiven = input.payerAccountId?.trim().toLowerCase() || null;
    if (payerGiven && (!isUuid(payerGiven) || !atCounter)) problems.push({ field: 'payerAccountId', message: atCounter ? 'Not an account id.' : 'Online, the payer is the caller.' });
    if (problems.length) throw new BadInputError('The payment has problems; see extensions.problems.', problems);
    return { atCounter, dossierId, billReference, agencyCode: agencyGiven, payerAccountId: atCounter ? payerGiven : principal.accountId };
  }

  /** A bill payment or a disbursement: everything is known from the request and the caller's postal point. */
  private withoutDossier(principal: Principal, input: CollectPaymentInput, looked: LookedUp): NewMovement {
    const checked = this.checked(principal, input);
    if (!checked.atCounter) assertCan(principal, 'payment.payOnline', { payerAccountId: principal.accountId, organisationId: null }, 'Only a citizen pays online, for themself.');
    return this.movementOf(principal, input, looked, checked, checked.agencyCode!, checked.payerAccountId);
  }

  /** A dossier's fee or cash on delivery: what is still due is read and paid under the dossier's lock. */
  private async dossierMovement(manager: EntityManager, principal: Principal, input: CollectPaymentInput, looked: LookedUp): Promise<NewMovement> {
    const checked = this.checked(principal, input);
    const { atCounter, dossierId } = checked;
    const amount = input.amount;
    let payerAccountId = checked.payerAccountId;
    // One collection for a dossier at a time: what is still due is read and paid under the same lock.
    await lockForTransaction(manager, `payments:dossier:${dossierId}`);
    const [facts]: DossierFacts[] = await manager.query(`SELECT * FROM payments.dossiers WHERE id = $1`, [dossierId]);
    if (!facts) throw dossierNotKnown();
    if (!atCounter) {
      assertCan(principal, 'payment.payOnline', { payerAccountId: facts.applicant_account_id, organisationId: facts.organisation_id }, 'Only the applicant (or whoever acts for its organisation with PAY_FEES) pays a dossier online.');
    }
    payerAccountId ??= facts.applicant_account_id;
    const since = todayInVietnam(facts.submitted_at);
    const [{ paid }] = await manager.query(PAID_SQL, [dossierId, input.purpose, since]);
    if (input.purpose === PaymentPurpose.DOSSIER_FEE) {
      if (facts.status === 'CANCELLED' || facts.status === 'REJECTED') throw new ConflictError(`The dossier is ${facts.status}: nothing is due.`);
      // A dossier payments had not heard of a moment ago has no total read yet: it is read now, through this transaction.
      const total = looked.feeTotal ?? await this.feeTotal(manager, facts.service_code);
      const due = total - BigInt(paid);
      if (amount > due) throw overCollection(due);
    } else {
      // The postman brings the cash back to the point that handed them the result: that point collects it.
      const [dispatch] = await manager.query(`SELECT postal_point_code FROM payments.cod_dispatches WHERE dossier_id = $1`, [dossierId]);
      if (!facts.cash_on_delivery || !dispatch) throw new ConflictError('This dossier has no result out for delivery with cash to collect.');
      if (dispatch.postal_point_code !== principal.postalPointCode) throw new ConflictError(`The result went out from postal point ${dispatch.postal_point_code}: its cash on delivery is collected there.`);
      const due = BigInt(facts.cash_on_delivery) - BigInt(paid);
      if (amount > due) throw overCollection(due);
    }
    return this.movementOf(principal, input, looked, checked, facts.agency_code, payerAccountId);
  }

  /** The movement and its postings, once the caller's postal point is known to be open. */
  private movementOf(principal: Principal, input: CollectPaymentInput, looked: LookedUp, checked: CheckedCollection, agencyCode: string, payerAccountId: string | null): NewMovement {
    const { atCounter, dossierId, billReference } = checked;
    const amount = input.amount;
    const postalPoint = looked.postalPoint;
    if (atCounter) {
      if (!postalPoint) throw new NotFoundError('Your postal point is not in the network.');
      if (!postalPoint.isOpen) throw new ConflictError('Your postal point is closed: it takes no money.');
    }
    const type = input.purpose === PaymentPurpose.DISBURSEMENT ? PaymentType.DISBURSEMENT : PaymentType.COLLECTION;
    const cash = atCounter ? LedgerAccounts.postalPointCash(postalPoint!.code) : LedgerAccounts.onlineClearing;
    const payable = LedgerAccounts.agencyPayable(agencyCode);
    const postings = type === PaymentType.DISBURSEMENT ? transfer(payable, cash, amount) : transfer(cash, payable, amount);
    return {
      movement: {
        type, purpose: input.purpose, channel: atCounter ? PaymentChannel.COUNTER : PaymentChannel.ONLINE,
        postalPointCode: postalPoint?.code ?? null, provinceCode: postalPoint?.provinceCode ?? null, agencyCode,
        dossierId, billReference, payerAccountId, amount, originalId: null, originalBusinessDate: null, reason: null,
      },
      postings,
    };
  }

  private async reversal(manager: EntityManager, principal: Principal, input: ReversePaymentInput): Promise<NewMovement> {
    const reason = checkReason(input.reason);
    const original = await this.lockOriginal(manager, input.paymentId);
    assertCan(principal, 'payment.reverse', { postalPointCode: original.postalPointCode }, 'A reversal is made by finance, or by the supervisor of the postal point that recorded the movement.');
    if (original.type !== PaymentType.COLLECTION && original.type !== PaymentType.DISBURSEMENT) throw new ConflictError(`A ${original.type} cannot itself be reversed.`);
    if (original.businessDate !== todayInVietnam(this.now())) throw new ConflictError(`A movement is reversed only on its own business day (${original.businessDate}); later, finance refunds it.`);
    const [already] = await manager.query(`SELECT type FROM payments.payments WHERE original_id = $1 AND business_date >= $2::date LIMIT 1`, [original.id, original.businessDate]);
    if (already) throw new ConflictError(already.type === PaymentType.REVERSAL ? 'This movement is already reversed.' : 'This movement was refunded: it cannot be reversed.');
    const postings: Posting[] = (await manager.query(
      `SELECT account, amount::text AS amount FROM payments.ledger_entries WHERE business_date = $1 AND transaction_id = $2`, [original.businessDate, original.id],
    )).map((r: { account: string; amount: string }) => ({ account: r.account, amount: BigInt(r.amount) }));
    return { movement: { ...correctionOf(original), type: PaymentType.REVERSAL, amount: original.amount, reason }, postings: mirrored(postings) };
  }

  private async refundOf(manager: EntityManager, principal: Principal, input: RefundPaymentInput): Promise<NewMovement> {
    const reason = checkReason(input.reason);
    if (input.amount <= 0n || input.amount > MAX_AMOUNT) throw new BadInputError('The refund has problems; see extensions.problems.', [{ field: 'amount', message: 'A positive number of đồng.' }]);
    assertCan(principal, 'payment.refund', {}, 'Only finance refunds.');
    const original = await this.lockOriginal(manager, input.paymentId);
    if (original.type !== PaymentType.COLLECTION) throw new ConflictError(`Only a collection is refunded, not a ${original.type}.`);
    if (original.businessDate >= todayInVietnam(this.now())) throw new ConflictError('A movement of today is reversed, not refunded.');
    const [{ reversed, refunded }] = await manager.query(
      `SELECT count(*) FILTER (WHERE type = 'REVERSAL') AS reversed, coalesce(sum(amount) FILTER (WHERE type = 'REFUND'), 0)::text AS refunded
       FROM payments.payments WHERE original_id = $1 AND business_date >= $2::date`, [original.id, original.businessDate]);
    if (Number(reversed) > 0) throw new ConflictError('This collection was reversed: there is nothing to refund.');
    const left = original.amount - BigInt(refunded);
    if (input.amount > left) throw new BadInputError(`At most ${left} đồng of this collection is left to refund.`, [{ field: 'amount', message: `At most ${left}.` }]);
    return {
      movement: { ...correctionOf(original), type: PaymentType.REFUND, amount: input.amount, reason },
      postings: transfer(LedgerAccounts.agencyPayable(original.agencyCode), LedgerAccounts.refundsPayable, input.amount),
    };
  }

  /** A service's fee schedule total in force today, read through the caller's transaction. */
  private async feeTotal(manager: EntityManager, serviceCode: string): Promise<bigint> {
    const [row] = await manager.query(
      `SELECT coalesce(sum(i.amount), 0)::text AS total FROM payments.fee_schedules s LEFT JOIN payments.fee_schedule_items i ON i.schedule_id = s.id
       WHERE s.service_code = $1 AND s.effective_from <= $2::date AND (s.effective_to IS NULL OR s.effective_to >= $2::date) GROUP BY s.id`,
      [serviceCode, todayInVietnam(this.now())]);
    if (!row) throw new FeeScheduleMissingError(serviceCode);
    return BigInt(row.total);
  }

  /** The movement a correction refers to, locked so that two corrections of it never race. */
  private async lockOriginal(manager: EntityManager, paymentId: string): Promise<Payment> {
    if (!isUuid(paymentId)) throw new NotFoundError('No movement has this id.');
    await lockForTransaction(manager, `payments:movement:${paymentId.toLowerCase()}`);
    const original = await manager.getRepository(Payment).findOne({ where: { id: paymentId.toLowerCase() } });
    if (!original) throw new NotFoundError('No movement has this id.');
    return original;
  }

  /**
   * Writes a movement, its ledger postings and its key's answer in one statement, for today's business day (its
   * month's partitions made sure of first). `claim`: the statement also claims the key, and writes nothing (null)
   * if the key is taken. `answer`: the key was claimed earlier in the transaction; the statement stores the answer.
   * The database refuses the whole statement if the postings do not balance (the ledger's trigger).
   */
  private async write(query: Query, { movement, postings }: NewMovement, principal: Principal, claim: IdempotencyClaim, mode: 'claim' | 'answer'): Promise<Payment | null> {
    const recordedAt = this.now();
    const businessDate = todayInVietnam(recordedAt);
    await this.ensureMonth(query, businessDate);
    const payment = Object.assign(new Payment(), movement, { id: randomUUID(), businessDate, recordedByAccountId: principal.accountId, recordedByRole: principal.role, recordedAt });
    const rows = balanced(postings);
    const answer = JSON.stringify(snapshotOf(payment));
    const params: unknown[] = [payment.id, businessDate, movement.type, movement.purpose, movement.channel, movement.postalPointCode, movement.provinceCode,
      movement.agencyCode, movement.dossierId, movement.billReference, movement.payerAccountId, movement.amount.toString(), movement.originalId,
      movement.originalBusinessDate, movement.reason, principal.accountId, principal.role, recordedAt,
      rows.map((r) => r.account), rows.map((r) => r.amount.toString())];
    const key = mode === 'claim' ? `claim AS (${claimSql(21, '$25::jsonb')})` : `answer AS (${answerSql(21)})`;
    params.push(...(mode === 'claim' ? [...claimParams(claim), answer] : [claim.callerId, claim.key, answer]));
    const [{ written }] = (await query(
      `WITH ${key},
       movement AS (
         INSERT INTO payments.payments (id, business_date, type, purpose, channel, postal_point_code, province_code, agency_code, dossier_id, bill_reference,
           payer_account_id, amount, original_id, original_business_date, reason, recorded_by_account_id, recorded_by_role, recorded_at)
         SELECT $1::uuid, $2::date, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::uuid, $10::text, $11::uuid, $12::bigint, $13::uuid,
           $14::date, $15::text, $16::uuid, $17::text, $18::timestamptz
         ${mode === 'claim' ? 'FROM claim' : ''}
         RETURNING id, business_date),
       postings AS (
         INSERT INTO payments.ledger_entries (business_date, transaction_id, account, amount)
         SELECT m.business_date, m.id, p.account, p.amount FROM movement m CROSS JOIN unnest($19::text[], $20::bigint[]) AS p(account, amount))
       SELECT count(*)::int AS written FROM movement`, params)) as { written: number }[];
    if (!written) return null;
    this.log.info('payment recorded', { paymentId: payment.id, type: movement.type, purpose: movement.purpose, amount: movement.amount.toString(), agency: movement.agencyCode });
    return payment;
  }

  private async ensureMonth(query: Query, day: string): Promise<void> {
    const month = day.slice(0, 7);
    if (this.months.has(month)) return;
    await query(`SELECT payments.ensure_month_partitions($1::date)`, [day]);
    this.months.add(month);
  }

  async byId(principal: Principal, id: string): Promise<Payment | null> {
    if (!isUuid(id)) return null;
    const payment = await this.db.getRepository(Payment).findOne({ where: { id: id.toLowerCase() } });
    return payment && canRead(principal, payment) ? payment : null;
  }

  /** A dossier's movements, oldest first. The dossier was shown to the caller already (documents decided). */
  async forDossier(dossierId: string, first: number | undefined, after: string | undefined): Promise<Connection<Payment>> {
    if (!isUuid(dossierId)) return toConnection([], pageSize(first), () => [], false);
    return this.page((q) => q.where('p.dossier_id = :dossierId', { dossierId: dossierId.toLowerCase() }), 'ASC', first, after);
  }

  /** What a payer paid and got back, newest first: the payer, finance and administrators. */
  async forAccount(principal: Principal, accountId: string, first: number | undefined, after: string | undefined): Promise<Connection<Payment>> {
    assertCan(principal, 'payment.listForAccount', { payerAccountId: accountId }, 'Only the payer (or finance) sees their payments.');
    if (!isUuid(accountId)) return toConnection([], pageSize(first), () => [], false);
    return this.page((q) => q.where('p.payer_account_id = :accountId', { accountId }), 'DESC', first, after);
  }

  /** Per dossier: what its fee payments add up to (collections less reversals and refunds). */
  async paidForDossiers(ids: readonly string[]): Promise<Map<string, bigint>> {
    const valid = ids.filter((id) => isUuid(id)).map((id) => id.toLowerCase());
    if (!valid.length) return new Map();
    const rows: { dossier_id: string; paid: string }[] = await this.db.query(
      `SELECT dossier_id, ${PAID}::text AS paid
       FROM payments.payments WHERE dossier_id = ANY($1::uuid[]) AND purpose = 'DOSSIER_FEE' GROUP BY dossier_id`, [valid]);
    return new Map(rows.map((r) => [r.dossier_id, BigInt(r.paid)]));
  }

  private async page(scope: (q: SelectQueryBuilder<Payment>) => SelectQueryBuilder<Payment>, order: 'ASC' | 'DESC', first: number | undefined, after: string | undefined): Promise<Connection<Payment>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['instant', 'uuid']);
    const query = scope(this.query()).orderBy('p.recorded_at', order).addOrderBy('p.id', order).limit(size + 1);
    if (cursor) query.andWhere(`(p.recorded_at, p.id) ${order === 'ASC' ? '>' : '<'} (:at::timestamptz, :id::uuid)`, { at: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (p) => [p.recordedAt.toISOString(), p.id], !!cursor);
  }

  private query(): SelectQueryBuilder<Payment> {
    return this.db.getRepository(Payment).createQueryBuilder('p');
  }
}

/** Who may see a movement: its payer, finance and administrators, the staff of its postal point. */
export function canRead(principal: Principal, payment: Payment): boolean {
  return can(principal, 'payment.read', { payerAccountId: payment.payerAccountId, postalPointCode: payment.postalPointCode });
}

function correctionOf(original: Payment) {
  return {
    purpose: original.purpose, channel: original.channel, postalPointCode: original.postalPointCode, provinceCode: original.provinceCode,
    agencyCode: original.agencyCode, dossierId: original.dossierId, billReference: original.billReference, payerAccountId: original.payerAccountId,
    originalId: original.id, originalBusinessDate: original.businessDate,
  };
}

function checkReason(reason: string | null | undefined): string {
  const why = reason?.trim() ?? '';
  if (why.length < 3 || why.length > 500) throw new BadInputError('Say why, in 3 to 500 characters.', [{ field: 'reason', message: '3 to 500 characters.' }]);
  return why;
}

/** How long a fee payment waits for a dossier payments has not heard of yet: 3 more reads, 150 ms apart. */
const DOSSIER_WAIT_TRIES = 3;
const DOSSIER_WAIT_MS = 150;

function dossierNotKnown(): NotFoundError {
  const error = new NotFoundError('Payments does not know this dossier: it does not exist, or it was submitted a moment ago and has not reached payments yet; retry in a second.');
  Object.assign(error.extensions, { reason: 'DOSSIER_NOT_KNOWN', retryAfterSeconds: 1 });
  return error;
}

function overCollection(due: bigint): BadInputError {
  const error = new BadInputError(due > 0n ? `Only ${due} đồng is still due: a dossier is never collected twice.` : 'Nothing is due on this dossier any more.',
    [{ field: 'amount', message: `At most ${due > 0n ? due : 0n}.` }]);
  Object.assign(error.extensions, { reason: 'OVER_COLLECTION', due: (due > 0n ? due : 0n).toString() });
  return error;
}
