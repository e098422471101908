import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CollectionService } from '../../subgraphs/payments/src/collections/collection.service';
import { PaymentPurpose } from '../../subgraphs/payments/src/collections/payment.entity';
import { seedDemoPayments } from '../../subgraphs/payments/src/database/seed';
import { createLogger, Role, type Principal } from '../../subgraphs/shared/src';
import { aLoggedInCitizen } from '../kit/builders';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

/** Collections, idempotency, corrections and the ledger, through the gateway with real PostgreSQL and Redis. */

const POINT = '001-BC-0001';
const OTHER_POINT = '002-BC-0001';
const COLLECT = `mutation($input: CollectPaymentInput!) { collectPayment(input: $input) { id type purpose channel amount businessDate agencyCode postalPointCode } }`;
const REVERSE = `mutation($input: ReversePaymentInput!) { reversePayment(input: $input) { id type amount original { id } } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { id type amount reason } }`;
const SUBMIT = `mutation($input: SubmitDossierInput!) { submitDossier(input: $input) { id } }`;

const code = (response: GraphQLResponse<any>) => response.errors?.[0]?.extensions?.code ?? 'OK';
const key = () => `test-${randomUUID()}`;
const sql = <T = any>(stack: Stack, query: string, parameters: unknown[] = []): Promise<T[]> => stack.payments.database.dataSource.query(query, parameters);

/** Every ledger transaction balances, and every movement has its postings. */
async function ledgerBalances(stack: Stack): Promise<void> {
  expect(await sql(stack, `SELECT transaction_id FROM payments.ledger_entries GROUP BY transaction_id HAVING sum(amount) <> 0`)).toEqual([]);
  expect(await sql(stack, `SELECT p.id FROM payments.payments p WHERE NOT EXISTS (SELECT 1 FROM payments.ledger_entries e WHERE e.transaction_id = p.id)`)).toEqual([]);
}

/** The tills the database keeps (point_day_totals) equal the movements they are kept from. */
async function tillsAgree(stack: Stack): Promise<void> {
  const kept = await sql(stack, `SELECT business_date::text AS day, postal_point_code, agency_code, collected::text, cod_collected::text, movement_count
    FROM payments.point_day_totals WHERE movement_count > 0 ORDER BY 1, 2, 3`);
  const raw = await sql(stack, `
    SELECT x.business_date::text AS day, x.postal_point_code, x.agency_code, sum(x.cash)::text AS collected, sum(x.cod)::text AS cod_collected, count(*)::int AS movement_count
    FROM (
      SELECT m.business_date, m.postal_point_code, m.agency_code, CASE m.type WHEN 'COLLECTION' THEN m.amount ELSE -m.amount END AS cash,
             CASE WHEN m.type = 'COLLECTION' AND m.purpose = 'CASH_ON_DELIVERY' THEN m.amount ELSE 0 END AS cod
      FROM payments.payments m WHERE m.channel = 'COUNTER' AND m.type IN ('COLLECTION', 'DISBURSEMENT')
      UNION ALL
      SELECT o.business_date, o.postal_point_code, o.agency_code, CASE o.type WHEN 'COLLECTION' THEN -r.amount ELSE r.amount END,
             CASE WHEN o.type = 'COLLECTION' AND o.purpose = 'CASH_ON_DELIVERY' THEN -r.amount ELSE 0 END
      FROM payments.payments r JOIN payments.payments o ON o.id = r.original_id
      WHERE r.type = 'REVERSAL' AND o.channel = 'COUNTER' AND o.type IN ('COLLECTION', 'DISBURSEMENT')
    ) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  expect(kept).toEqual(raw);
}

/** Waits until payments has heard of the dossier from documents' events (a moment after it happened). */
async function knownToPayments(stack: Stack, dossierId: string, status?: string): Promise<void> {
  await expect.poll(async () => (await sql(stack, `SELECT status FROM payments.dossiers WHERE id = $1`, [dossierId]))[0]?.status ?? null, { timeout: 10_000, interval: 50 })
    .toBe(status ?? 'SUBMITTED');
}

describe('collections', () => {
  const stack = useStack({ postalPoints: 50 });
  const tokens: Record<string, string> = {};
  const staff: Record<string, { role: Role; level: 1 | 2; postalPointCode?: string; agencyCode?: string }> = {
    clerk: { role: Role.POSTAL_CLERK, level: 2, postalPointCode: POINT },
    'clerk at level 1': { role: Role.POSTAL_CLERK, level: 1, postalPointCode: POINT },
    supervisor: { role: Role.POSTAL_SUPERVISOR, level: 2, postalPointCode: POINT },
    'supervisor of another point': { role: Role.POSTAL_SUPERVISOR, level: 2, postalPointCode: OTHER_POINT },
    finance: { role: Role.FINANCE, level: 2 },
    official: { role: Role.OFFICIAL, level: 2, agencyCode: 'CDB' },
  };
  const as = (who: string) => tokens[who];
  let citizen: Awaited<ReturnType<typeof aLoggedInCitizen>>;

  beforeAll(async () => {
    for (const [name, claims] of Object.entries(staff)) tokens[name] = await stack.tokenFor({ accountId: randomUUID(), ...claims });
    citizen = await aLoggedInCitizen(stack);
    tokens.citizen = citizen.token;
  });

  const bill = (amount = '250000', overrides: Record<string, unknown> = {}) => ({
    idempotencyKey: key(), purpose: 'BILL_PAYMENT', amount, agencyCode: 'EVN', billReference: 'PE01000123456', ...overrides,
  });

  describe('a dossier fee paid online', () => {
    it('is collected once, amountDue falls to what is left, and more than is due is refused', async () => {
      const { submitDossier } = await gql(stack.gatewayUrl, SUBMIT, { input: { serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true } }, citizen.token);
      await knownToPayments(stack, submitDossier.id);
      const fee = (amount: string) => ({ idempotencyKey: key(), purpose: 'DOSSIER_FEE', amount, dossierId: submitDossier.id });

      const first = await gql(stack.gatewayUrl, COLLECT, { input: fee('100000') }, citizen.token);
      expect(first.collectPayment).toMatchObject({ type: 'COLLECTION', purpose: 'DOSSIER_FEE', channel: 'ONLINE', amount: '100000', agencyCode: 'CDB', postalPointCode: null });
      const DUE = `{ me { dossiers { edges { node { id amountDue payments { edges { node { id amount } } } } } } payments { edges { node { id amount purpose } } } } }`;
      let { me } = await gql(stack.gatewayUrl, DUE, {}, citizen.token);
      expect(me.dossiers.edges[0].node).toMatchObject({ amountDue: '35000', payments: { edges: [{ node: { id: first.collectPayment.id, amount: '100000' } }] } });
      expect(me.payments.edges.map((e: any) => e.node.id)).toContain(first.collectPayment.id);

      const over = await post(stack.gatewayUrl, COLLECT, { input: fee('35001') }, citizen.token);
      expect(over.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OVER_COLLECTION', due: '35000', problems: [{ field: 'amount' }] });
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: fee('35000') }, citizen.token))).toBe('OK');
      ({ me } = await gql(stack.gatewayUrl, DUE, {}, citizen.token));
      expect(me.dossiers.edges[0].node.amountDue).toBe('0');
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: fee('1') }, citizen.token))).toBe('BAD_USER_INPUT');

      // Someone else's dossier cannot be paid online by another citizen; a dossier payments never heard of is NOT_FOUND.
      const stranger = await stack.tokenFor({ role: Role.CITIZEN, accountId: randomUUID(), level: 2 });
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: fee('1') }, stranger))).toBe('FORBIDDEN');
      const unknown = await post(stack.gatewayUrl, COLLECT, { input: { ...fee('1'), dossierId: randomUUID() } }, citizen.token);
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'DOSSIER_NOT_KNOWN', retryAfterSeconds: 1 });
      await ledgerBalances(stack);
    });

    it('is collected when paid the instant the dossier is submitted, before payments has heard of it', async () => {
      // The dossier's facts arrive 200 ms after the payment is sent, as a slow event would bring them.
      const dossierId = randomUUID();
      const paying = post(stack.gatewayUrl, COLLECT, { input: { idempotencyKey: key(), purpose: 'DOSSIER_FEE', amount: '135000', dossierId } }, citizen.token);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sql(stack, `INSERT INTO payments.dossiers (id, service_code, agency_code, applicant_account_id, status, delivery_method, submitted_at, updated_at)
                        VALUES ($1, 'GPLX_EXCHANGE', 'CDB', $2, 'SUBMITTED', 'PICKUP', now(), now())`, [dossierId, citizen.accountId]);
      expect((await paying).data?.collectPayment).toMatchObject({ amount: '135000', purpose: 'DOSSIER_FEE' });
    });

    it('never over-collects under parallel payments with different keys, more of them than the pool has connections', async () => {
      const { submitDossier } = await gql(stack.gatewayUrl, SUBMIT, { input: { serviceCode: 'CCCD_RENEWAL', acceptDeclaration: true } }, citizen.token);
      await knownToPayments(stack, submitDossier.id);
      // More requests than the subgraph's pool has connections: none may wait inside a transaction for another connection.
      const answers = await Promise.all(Array.from({ length: 14 }, () => post(stack.gatewayUrl, COLLECT,
        { input: { idempotencyKey: key(), purpose: 'DOSSIER_FEE', amount: '20000', dossierId: submitDossier.id } }, citizen.token)));
      // CCCD_RENEWAL costs 50,000: two payments of 20,000 fit, a third would not.
      expect(answers.filter((a) => code(a) === 'OK')).toHaveLength(2);
      const [{ paid }] = await sql(stack, `SELECT sum(amount)::text AS paid FROM payments.payments WHERE dossier_id = $1`, [submitDossier.id]);
      expect(paid).toBe('40000');
    });
  });

  describe('idempotency', () => {
    it('replays the first answer for a retry, refuses the key for another request, and keeps it a day', async () => {
      const input = bill();
      const first = await gql(stack.gatewayUrl, COLLECT, { input }, as('clerk'));
      const again = await gql(stack.gatewayUrl, COLLECT, { input }, as('clerk'));
      expect(again).toEqual(first);
      expect(await sql(stack, `SELECT count(*)::int AS n FROM payments.payments WHERE id = $1`, [first.collectPayment.id])).toEqual([{ n: 1 }]);
      const reused = await post(stack.gatewayUrl, COLLECT, { input: { ...input, amount: '250001' } }, as('clerk'));
      expect(reused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_REUSED' });
      // The same key from another caller is another request.
      const other = await gql(stack.gatewayUrl, COLLECT, { input }, as('supervisor'));
      expect(other.collectPayment.id).not.toBe(first.collectPayment.id);
      const [kept] = await sql(stack, `SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM payments.idempotency_keys WHERE key = $1 LIMIT 1`, [input.idempotencyKey]);
      expect(kept.seconds).toBeGreaterThanOrEqual(24 * 3600);
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: { ...bill(), idempotencyKey: 'short' } }, as('clerk')))).toBe('BAD_USER_INPUT');
    });

    it('forgets a key after its day: the hourly sweep deletes it, and a request with it is new again', async () => {
      const input = bill('31000');
      const first = await gql(stack.gatewayUrl, COLLECT, { input }, as('clerk'));
      await sql(stack, `UPDATE payments.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [input.idempotencyKey]);
      const service = new CollectionService(stack.payments.database.dataSource, createLogger({ service: 'test', level: 'silent' }));
      expect(await service.sweepIdempotencyKeys()).toBeGreaterThanOrEqual(1);
      expect(await sql(stack, `SELECT 1 FROM payments.idempotency_keys WHERE key = $1`, [input.idempotencyKey])).toEqual([]);
      const later = await gql(stack.gatewayUrl, COLLECT, { input }, as('clerk'));
      expect(later.collectPayment.id).not.toBe(first.collectPayment.id);
    });

    it('takes over a key past its day even before the sweep, as a new request', async () => {
      const input = bill('32000');
      const first = await gql(stack.gatewayUrl, COLLECT, { input }, as('clerk'));
      await sql(stack, `UPDATE payments.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [input.idempotencyKey]);
      // Now another request may use the key: it is a new request, not a conflict.
      const later = await gql(stack.gatewayUrl, COLLECT, { input: { ...input, amount: '32001' } }, as('clerk'));
      expect(later.collectPayment.id).not.toBe(first.collectPayment.id);
      expect(await gql(stack.gatewayUrl, COLLECT, { input: { ...input, amount: '32001' } }, as('clerk'))).toEqual(later);
      expect(await sql(stack, `SELECT count(*)::int AS n FROM payments.idempotency_keys WHERE key = $1`, [input.idempotencyKey])).toEqual([{ n: 1 }]);
    });

    it('replays the first answer to a retry that its checks would now refuse (the point closed since), and refuses another request', async () => {
      const clerk = await stack.tokenFor({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: OTHER_POINT });
      const input = bill('33000');
      const first = await gql(stack.gatewayUrl, COLLECT, { input }, clerk);
      await sql(stack, `UPDATE payments.postal_points SET is_open = false WHERE code = $1`, [OTHER_POINT]);
      await stack.flushCache();
      try {
        expect(await gql(stack.gatewayUrl, COLLECT, { input }, clerk)).toEqual(first);
        expect((await post(stack.gatewayUrl, COLLECT, { input: { ...input, amount: '33001' } }, clerk)).errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_REUSED' });
        expect(code(await post(stack.gatewayUrl, COLLECT, { input: bill('33002') }, clerk))).toBe('CONFLICT');
      } finally {
        await sql(stack, `UPDATE payments.postal_points SET is_open = true WHERE code = $1`, [OTHER_POINT]);
        await stack.flushCache();
      }
    });

    it('makes exactly one payment of 100 concurrent identical requests through the gateway, every answer the same', async () => {
      const input = bill('77000');
      const answers = await Promise.all(Array.from({ length: 100 }, () => post(stack.gatewayUrl, COLLECT, { input }, as('clerk'))));
      expect(answers.map(code).filter((c) => c !== 'OK')).toEqual([]);
      expect(new Set(answers.map((a) => a.data.collectPayment.id)).size).toBe(1);
      expect(await sql(stack, `SELECT count(*)::int AS n FROM payments.payments WHERE amount = 77000`)).toEqual([{ n: 1 }]);
      await ledgerBalances(stack);
    });

    it('makes exactly one payment of 100 concurrent identical requests straight to the subgraph', async () => {
      const input = bill('78000');
      const subgraph = `${stack.payments.url}/graphql`;
      const answers = await Promise.all(Array.from({ length: 100 }, () => post(subgraph, COLLECT, { input }, as('clerk'))));
      expect(answers.map(code).filter((c) => c !== 'OK')).toEqual([]);
      expect(new Set(answers.map((a) => a.data.collectPayment.id)).size).toBe(1);
      expect(await sql(stack, `SELECT count(*)::int AS n FROM payments.payments WHERE amount = 78000`)).toEqual([{ n: 1 }]);
    });
  });

  describe('at the counter', () => {
    it('collects bills and pays out disbursements at the clerk\'s own open point, level 2 only', async () => {
      const collected = await gql(stack.gatewayUrl, COLLECT, { input: bill('120000') }, as('clerk'));
      expect(collected.collectPayment).toMatchObject({ channel: 'COUNTER', postalPointCode: POINT, agencyCode: 'EVN', type: 'COLLECTION' });
      const paidOut = await gql(stack.gatewayUrl, COLLECT, { input: { idempotencyKey: key(), purpose: 'DISBURSEMENT', amount: '1500000', agencyCode: 'BHXH' } }, as('clerk'));
      expect(paidOut.collectPayment).toMatchObject({ type: 'DISBURSEMENT', channel: 'COUNTER' });
      const postings = await sql(stack, `SELECT account, amount::text AS amount FROM payments.ledger_entries WHERE transaction_id = $1 ORDER BY account`, [paidOut.collectPayment.id]);
      expect(postings).toEqual([{ account: 'AGENCY_PAYABLE:BHXH', amount: '1500000' }, { account: `POSTAL_POINT_CASH:${POINT}`, amount: '-1500000' }]);

      expect(code(await post(stack.gatewayUrl, COLLECT, { input: bill() }, as('clerk at level 1')))).toBe('FORBIDDEN');
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: bill() }, as('official')))).toBe('FORBIDDEN');
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: { ...bill(), purpose: 'DISBURSEMENT', billReference: null } }, citizen.token))).toBe('BAD_USER_INPUT');
      expect((await post(stack.gatewayUrl, COLLECT, { input: bill('0') }, as('clerk'))).errors?.[0].extensions).toMatchObject({ problems: [{ field: 'amount' }] });

      await sql(stack, `UPDATE payments.postal_points SET is_open = false WHERE code = $1`, [OTHER_POINT]);
      await stack.flushCache();
      const closedPointClerk = await stack.tokenFor({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: OTHER_POINT });
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: bill() }, closedPointClerk))).toBe('CONFLICT');
      await sql(stack, `UPDATE payments.postal_points SET is_open = true WHERE code = $1`, [OTHER_POINT]);
      await stack.flushCache();
    });
  });

  describe('corrections', () => {
    it('reverses a movement of today once: the point\'s supervisor or finance, nobody else', async () => {
      const { collectPayment: original } = await gql(stack.gatewayUrl, COLLECT, { input: bill('90000') }, as('clerk'));
      const reverse = (who: string, paymentId = original.id) => post(stack.gatewayUrl, REVERSE, { input: { idempotencyKey: key(), paymentId, reason: 'Thu nhầm số tiền' } }, as(who));
      for (const who of ['clerk', 'supervisor of another point', 'official', 'citizen']) expect(code(await reverse(who)), who).toBe('FORBIDDEN');
      const reversal = await reverse('supervisor');
      expect(reversal.data.reversePayment).toMatchObject({ type: 'REVERSAL', amount: '90000', original: { id: original.id } });
      expect(code(await reverse('finance'))).toBe('CONFLICT');
      expect(code(await reverse('finance', reversal.data.reversePayment.id))).toBe('CONFLICT');
      const net = await sql(stack, `SELECT account, sum(amount)::text AS amount FROM payments.ledger_entries WHERE transaction_id = ANY($1::uuid[]) GROUP BY account`, [[original.id, reversal.data.reversePayment.id]]);
      expect(net.every((row: any) => row.amount === '0')).toBe(true);
      expect(code(await post(stack.gatewayUrl, REVERSE, { input: { idempotencyKey: key(), paymentId: original.id, reason: '' } }, as('finance')))).toBe('BAD_USER_INPUT');
    });

    it('refunds a collection of an earlier day, in parts, never beyond it; today\'s are reversed instead', async () => {
      const service = new CollectionService(stack.payments.database.dataSource, createLogger({ service: 'test', level: 'silent' }), () => new Date(Date.now() - 3 * 86_400_000));
      const clerk: Principal = { accountId: randomUUID(), role: Role.POSTAL_CLERK, level: 2, postalPointCode: POINT };
      const loaders = { postalPoints: { load: async () => ({ code: POINT, provinceCode: '001', isOpen: true }) }, feeSchedules: { load: async () => null } } as never;
      const old = await service.collect(clerk, { idempotencyKey: key(), purpose: PaymentPurpose.BILL_PAYMENT, amount: 300_000n, agencyCode: 'EVN', billReference: 'PE0100999' }, loaders);

      const refund = (amount: string, who = 'finance', paymentId = old.id) => post(stack.gatewayUrl, REFUND, { input: { idempotencyKey: key(), paymentId, amount, reason: 'Khách trả lại hóa đơn' } }, as(who));
      expect(code(await refund('100000', 'supervisor'))).toBe('FORBIDDEN');
      expect(code(await post(stack.gatewayUrl, REVERSE, { input: { idempotencyKey: key(), paymentId: old.id, reason: 'Quá hạn' } }, as('finance')))).toBe('CONFLICT');
      expect((await refund('100000')).data.refundPayment).toMatchObject({ type: 'REFUND', amount: '100000' });
      expect(code(await refund('200001'))).toBe('BAD_USER_INPUT');
      expect(code(await refund('200000'))).toBe('OK');
      expect(code(await refund('1'))).toBe('BAD_USER_INPUT');

      const { collectPayment: today } = await gql(stack.gatewayUrl, COLLECT, { input: bill('5000') }, as('clerk'));
      expect(code(await refund('5000', 'finance', today.id))).toBe('CONFLICT');
      await ledgerBalances(stack);
    });
  });

  describe('cash on delivery', () => {
    it('is collected at the door once the point hands the result to its postman, and never twice', async () => {
      // The clerk takes the dossier in for the citizen, so the result comes back to that point to go out by post.
      const { submitDossierOnBehalf } = await gql(stack.gatewayUrl, `mutation($input: CounterDossierInput!) { submitDossierOnBehalf(input: $input) { id } }`, { input: {
        serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true, applicantAccountId: citizen.accountId,
        deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: 'Số 8 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội' } }, as('clerk'));
      const id = submitDossierOnBehalf.id;
      for (const step of ['receiveDossier', 'startProcessing']) await gql(stack.gatewayUrl, `mutation($id: ID!) { ${step}(id: $id) { status } }`, { id }, as('official'));
      await gql(stack.gatewayUrl, `mutation($id: ID!) { markResultReady(input: { dossierId: $id, cashOnDelivery: "35000" }) { status } }`, { id }, as('official'));
      await gql(stack.gatewayUrl, `mutation($id: ID!) { returnResult(id: $id) { status } }`, { id }, as('clerk'));
      await knownToPayments(stack, id, 'RESULT_RETURNED');
      await expect.poll(async () => sql(stack, `SELECT postal_point_code, amount::text AS amount FROM payments.cod_dispatches WHERE dossier_id = $1`, [id]), { timeout: 10_000 })
        .toEqual([{ postal_point_code: POINT, amount: '35000' }]);

      const cod = () => post(stack.gatewayUrl, COLLECT, { input: { idempotencyKey: key(), purpose: 'CASH_ON_DELIVERY', amount: '35000', dossierId: id } }, as('clerk'));
      const collected = await cod();
      expect(collected.data.collectPayment).toMatchObject({ purpose: 'CASH_ON_DELIVERY', channel: 'COUNTER', agencyCode: 'CDB' });
      expect((await cod()).errors?.[0].extensions).toMatchObject({ reason: 'OVER_COLLECTION' });
      const elsewhere = await stack.tokenFor({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: OTHER_POINT });
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: { idempotencyKey: key(), purpose: 'CASH_ON_DELIVERY', amount: '1', dossierId: id } }, elsewhere))).toBe('CONFLICT');
      expect(code(await post(stack.gatewayUrl, COLLECT, { input: { idempotencyKey: key(), purpose: 'CASH_ON_DELIVERY', amount: '1', dossierId: id } }, citizen.token))).toBe('BAD_USER_INPUT');
    });
  });

  it('seeds the demo counter day through the same service, once a day however often it runs', async () => {
    const clerkId = randomUUID();
    expect(await seedDemoPayments(stack.payments.database.dataSource, clerkId)).toBe(4);
    await seedDemoPayments(stack.payments.database.dataSource, clerkId);
    expect(await sql(stack, `SELECT type, purpose, agency_code FROM payments.payments WHERE recorded_by_account_id = $1 ORDER BY amount`, [clerkId])).toHaveLength(4);
    await ledgerBalances(stack);
  });

  describe('business days and the ledger', () => {
    it('puts a movement at 23:59 and one at 00:01 Vietnam time on different business days', async () => {
      const at = (instant: string) => new CollectionService(stack.payments.database.dataSource, createLogger({ service: 'test', level: 'silent' }), () => new Date(instant));
      const clerk: Principal = { accountId: randomUUID(), role: Role.POSTAL_CLERK, level: 2, postalPointCode: POINT };
      const loaders = { postalPoints: { load: async () => ({ code: POINT, provinceCode: '001', isOpen: true }) }, feeSchedules: { load: async () => null } } as never;
      const late = await at('2026-03-31T16:59:00Z').collect(clerk, { idempotencyKey: key(), purpose: PaymentPurpose.BILL_PAYMENT, amount: 1_000n, agencyCode: 'EVN', billReference: 'LATE' }, loaders);
      const early = await at('2026-03-31T17:01:00Z').collect(clerk, { idempotencyKey: key(), purpose: PaymentPurpose.BILL_PAYMENT, amount: 1_000n, agencyCode: 'EVN', billReference: 'EARLY' }, loaders);
      expect([late.businessDate, early.businessDate]).toEqual(['2026-03-31', '2026-04-01']);
      // Each lands in its month's partition; instants are stored in UTC.
      const rows = await sql(stack, `SELECT tableoid::regclass::text AS partition, recorded_at FROM payments.payments WHERE id = ANY($1::uuid[]) ORDER BY recorded_at`, [[late.id, early.id]]);
      expect(rows.map((r: any) => r.partition)).toEqual(['payments.payments_2026_03', 'payments.payments_2026_04']);
      expect(rows.map((r: any) => r.recorded_at.toISOString())).toEqual(['2026-03-31T16:59:00.000Z', '2026-03-31T17:01:00.000Z']);
    });

    it('refuses, in the database, postings that do not balance and any change to what was written', async () => {
      const tx = randomUUID();
      await expect(sql(stack, `INSERT INTO payments.ledger_entries (business_date, transaction_id, account, amount) VALUES ('2026-05-05', $1, 'ONLINE_CLEARING', 10), ('2026-05-05', $1, 'AGENCY_PAYABLE:EVN', -9)`, [tx]))
        .rejects.toThrow(/does not balance/);
      await expect(sql(stack, `UPDATE payments.payments SET amount = amount + 1 WHERE amount = 77000`)).rejects.toThrow(/append-only/);
      await expect(sql(stack, `DELETE FROM payments.ledger_entries WHERE amount = 77000`)).rejects.toThrow(/append-only/);
    });

    it('keeps every transaction balanced and each account right after a random sequence of operations', async () => {
      // A small property test: random collections, disbursements, online payments and reversals; then the books.
      let seed = 20261125;
      const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
      const made: { id: string; who: string }[] = [];
      const expected = new Map<string, bigint>();
      const add = (account: string, amount: bigint) => expected.set(account, (expected.get(account) ?? 0n) + amount);
      const before = new Map((await sql(stack, `SELECT account, sum(amount)::text AS amount FROM payments.ledger_entries GROUP BY account`)).map((r: any) => [r.account, BigInt(r.amount)]));
      for (let i = 0; i < 60; i++) {
        const amount = BigInt(1 + Math.floor(random() * 500)) * 1000n;
        const agency = ['EVN', 'BHXH', 'CDB'][Math.floor(random() * 3)];
        const choice = random();
        if (choice < 0.45) {
          const r = await gql(stack.gatewayUrl, COLLECT, { input: bill(amount.toString(), { agencyCode: agency }) }, as('clerk'));
          made.push({ id: r.collectPayment.id, who: 'clerk' }); add(`POSTAL_POINT_CASH:${POINT}`, amount); add(`AGENCY_PAYABLE:${agency}`, -amount);
        } else if (choice < 0.6) {
          const r = await gql(stack.gatewayUrl, COLLECT, { input: { idempotencyKey: key(), purpose: 'DISBURSEMENT', amount: amount.toString(), agencyCode: agency } }, as('clerk'));
          made.push({ id: r.collectPayment.id, who: 'clerk' }); add(`POSTAL_POINT_CASH:${POINT}`, -amount); add(`AGENCY_PAYABLE:${agency}`, amount);
        } else if (choice < 0.8) {
          const r = await gql(stack.gatewayUrl, COLLECT, { input: bill(amount.toString(), { agencyCode: agency }) }, citizen.token);
          made.push({ id: r.collectPayment.id, who: 'citizen' }); add('ONLINE_CLEARING', amount); add(`AGENCY_PAYABLE:${agency}`, -amount);
        } else if (made.length) {
          const [target] = made.splice(Math.floor(random() * made.length), 1);
          const r = await post(stack.gatewayUrl, REVERSE, { input: { idempotencyKey: key(), paymentId: target.id, reason: 'Đảo ngẫu nhiên' } }, as('finance'));
          expect(code(r)).toBe('OK');
          const postings = await sql(stack, `SELECT account, amount::text AS amount FROM payments.ledger_entries WHERE transaction_id = $1`, [target.id]);
          for (const p of postings) add(p.account, -BigInt(p.amount));
        }
      }
      await ledgerBalances(stack);
      await tillsAgree(stack);
      const after = await sql(stack, `SELECT account, sum(amount)::text AS amount FROM payments.ledger_entries GROUP BY account`);
      for (const [account, delta] of expected) {
        const now = BigInt(after.find((r: any) => r.account === account)?.amount ?? '0');
        expect(now - (before.get(account) ?? 0n), account).toBe(delta);
      }
      expect(after.reduce((sum: bigint, r: any) => sum + BigInt(r.amount), 0n)).toBe(0n);
    });
  });
});
