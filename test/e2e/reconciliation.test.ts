import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../subgraphs/payments/src/settlement/settlement.rules';
import { Role, todayInVietnam } from '../../subgraphs/shared/src';
import { splitCsv } from '../../subgraphs/shared/src/csv';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

/** End of day, reconciliation and settlement, through the gateway with real PostgreSQL and Redis. */

const RECONCILE = `query Reconcile($businessDate: Date!, $provinceCode: String, $postalPointCode: String, $agencyCode: String, $first: Int, $after: String) {
  reconciliation(businessDate: $businessDate, provinceCode: $provinceCode, postalPointCode: $postalPointCode, agencyCode: $agencyCode, first: $first, after: $after) {
    businessDate csvPath
    totals { lineCount due collected codCollected codDispatched remitted difference toRemit cashAdvance byStatus { status lineCount } }
    edges { cursor node { postalPointCode provinceCode due collected codCollected codDispatched remitted difference toRemit cashAdvance status movementCount postalPoint { code name } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;
const DECLARE = `mutation Declare($postalPointCode: String!, $businessDate: Date!, $amount: Money!) {
  declareRemittance(postalPointCode: $postalPointCode, businessDate: $businessDate, amount: $amount) { id postalPointCode businessDate amount declaredByRole postalPoint { code } }
}`;
const BATCH_FIELDS = 'id agencyCode businessDate settledThrough total itemCount adjustmentCount adjustmentTotal csvPath';
const CLOSE = `mutation Close($agencyCode: String!, $businessDate: Date!) { closeSettlementBatch(agencyCode: $agencyCode, businessDate: $businessDate) { ${BATCH_FIELDS} } }`;
const BATCH = `query Batch($id: ID!, $first: Int, $after: String) { settlementBatch(id: $id) {
  ${BATCH_FIELDS} items(first: $first, after: $after) { edges { node { paymentId businessDate type purpose channel postalPointCode amount effect isAdjustment originalPaymentId } } pageInfo { hasNextPage endCursor } }
} }`;
const BATCHES = `query Batches($agencyCode: String, $first: Int, $after: String) { settlementBatches(agencyCode: $agencyCode, first: $first, after: $after) {
  edges { node { id agencyCode businessDate total } } pageInfo { hasNextPage endCursor }
} }`;
const COLLECT = `mutation($input: CollectPaymentInput!) { collectPayment(input: $input) { id amount businessDate } }`;

const code = (response: GraphQLResponse<any>) => response.errors?.[0]?.extensions?.code ?? 'OK';
const today = todayInVietnam();
const daysAgo = (n: number) => addDays(today, -n);

type MovementType = 'COLLECTION' | 'DISBURSEMENT' | 'REVERSAL' | 'REFUND';
type Purpose = 'DOSSIER_FEE' | 'CASH_ON_DELIVERY' | 'BILL_PAYMENT' | 'DISBURSEMENT';
interface Movement { id: string; date: string; type: MovementType; purpose: Purpose; point: string | null; agency: string; amount: bigint; dossierId: string | null }
interface MovementSpec { date: string; agency?: string; amount: number; type?: MovementType; purpose?: Purpose; point?: string | null; original?: Movement; reason?: string }

/**
 * Movements written straight into payments.payments and payments.ledger_entries with the postings collectPayment,
 * reversePayment and refundPayment write (see ledger.ts): reconciliation and settlement read nothing else. A
 * correction takes its original's purpose, channel, point and agency, as the collection service records them.
 */
function movements(stack: Stack) {
  const sql = (query: string, parameters: unknown[] = []) => stack.payments.database.dataSource.query(query, parameters);
  const postingsOf = (m: Pick<Movement, 'type' | 'point' | 'agency' | 'amount'>, original?: Movement): [string, bigint][] => {
    const cash = m.point ? `POSTAL_POINT_CASH:${m.point}` : 'ONLINE_CLEARING';
    const payable = `AGENCY_PAYABLE:${m.agency}`;
    switch (m.type) {
      case 'COLLECTION': return [[cash, m.amount], [payable, -m.amount]];
      case 'DISBURSEMENT': return [[payable, m.amount], [cash, -m.amount]];
      case 'REVERSAL': return postingsOf(original!).map(([account, amount]) => [account, -amount]);
      case 'REFUND': return [[payable, m.amount], ['REFUNDS_PAYABLE', -m.amount]];
    }
  };
  return async (spec: MovementSpec): Promise<Movement> => {
    const type = spec.type ?? 'COLLECTION';
    const original = spec.original;
    const purpose = original?.purpose ?? spec.purpose ?? (type === 'DISBURSEMENT' ? 'DISBURSEMENT' : 'BILL_PAYMENT');
    const point = original ? original.point : spec.point ?? null;
    const agency = original?.agency ?? spec.agency!;
    const dossierId = original?.dossierId ?? (purpose === 'DOSSIER_FEE' || purpose === 'CASH_ON_DELIVERY' ? randomUUID() : null);
    const amount = BigInt(spec.amount);
    await sql(`SELECT payments.ensure_month_partitions($1::date)`, [spec.date]);
    const [{ id }] = await sql(
      `INSERT INTO payments.payments (business_date, type, purpose, channel, postal_point_code, province_code, agency_code, dossier_id, bill_reference,
         amount, original_id, original_business_date, reason, recorded_by_account_id, recorded_by_role, recorded_at)
       VALUES ($1, $2, $3, $4, $5, (SELECT province_code FROM payments.postal_points WHERE code = $5), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       RETURNING id`,
      [spec.date, type, purpose, point ? 'COUNTER' : 'ONLINE', point, agency, dossierId, purpose === 'BILL_PAYMENT' ? `PE${Date.now()}` : null,
        amount.toString(), original?.id ?? null, original?.date ?? null, original ? (spec.reason ?? 'Thu nhầm số tiền') : null,
        randomUUID(), point ? 'POSTAL_CLERK' : 'FINANCE', `${spec.date}T03:00:00Z`]);
    const movement: Movement = { id, date: spec.date, type, purpose, point, agency, amount, dossierId };
    const postings = postingsOf(movement, original);
    await sql(`INSERT INTO payments.ledger_entries (business_date, transaction_id, account, amount)
               SELECT $1::date, $2::uuid, account, amount FROM unnest($3::text[], $4::bigint[]) AS p(account, amount)`,
      [spec.date, id, postings.map(([account]) => account), postings.map(([, a]) => a.toString())]);
    return movement;
  };
}

describe('end of day, reconciliation and settlement', () => {
  const stack = useStack({ postalPoints: 400 });
  const sql = <T = any>(query: string, parameters: unknown[] = []): Promise<T[]> => stack.payments.database.dataSource.query(query, parameters);
  let aMovement: ReturnType<typeof movements>;
  const tokens: Record<string, string> = {};
  const token = async (claims: TestTokenClaims) => stack.tokenFor({ accountId: randomUUID(), ...claims });
  /** Points of two provinces (codes in order), for lines that can be told apart. */
  let hanoi: string[];
  let hcmc: string[];

  beforeAll(async () => {
    aMovement = movements(stack);
    const points = async (province: string) => (await sql<{ code: string }>(`SELECT code FROM payments.postal_points WHERE province_code = $1 AND is_open ORDER BY code LIMIT 12`, [province])).map((p) => p.code);
    hanoi = await points('001');
    hcmc = await points('079');
    expect(hanoi.length).toBeGreaterThanOrEqual(8);
    expect(hcmc.length).toBeGreaterThanOrEqual(4);
    tokens.finance = await token({ role: Role.FINANCE, level: 2 });
    tokens.administrator = await token({ role: Role.ADMINISTRATOR, level: 2 });
  });

  const declare = (point: string, businessDate: string, amount: string, as?: string) =>
    post(stack.gatewayUrl, DECLARE, { postalPointCode: point, businessDate, amount }, as);
  const clerkOf = (point: string, role = Role.POSTAL_CLERK, level: 1 | 2 = 2) => token({ role, level, postalPointCode: point });
  const reconcile = (variables: Record<string, unknown>, as = tokens.finance) => post(stack.gatewayUrl, RECONCILE, variables, as);
  const lines = (response: GraphQLResponse<any>) => response.data.reconciliation.edges.map((e: any) => e.node);
  const codDispatch = (point: string, date: string, agency: string, amount: number) => sql(
    `INSERT INTO payments.cod_dispatches (dossier_id, postal_point_code, business_date, agency_code, amount, dispatched_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [randomUUID(), point, date, agency, amount, `${date}T02:00:00Z`]);

  describe('a day of seven postal points', () => {
    const DAY = daysAgo(20);
    let A: string, B: string, C: string, D: string, E: string, G: string, H: string;

    beforeAll(async () => {
      [A, B, E, G] = hanoi.slice(0, 4);
      [C, D] = hcmc.slice(0, 2);
      H = hcmc[4];
      // A: bills and a disbursement, one collection reversed the same day; the right cash declared.
      await aMovement({ date: DAY, point: A, agency: 'EVN', amount: 100_000 });
      await aMovement({ date: DAY, point: A, agency: 'EVN', amount: 50_000 });
      const mistake = await aMovement({ date: DAY, point: A, agency: 'NUOC', amount: 20_000 });
      await aMovement({ date: DAY, type: 'REVERSAL', original: mistake, amount: 20_000 });
      await aMovement({ date: DAY, point: A, agency: 'BHXH', type: 'DISBURSEMENT', amount: 30_000 });
      // Online money and a refund finance paid touch no till.
      await aMovement({ date: DAY, point: null, agency: 'EVN', amount: 999_000 });
      const earlier = await aMovement({ date: addDays(DAY, -3), point: A, agency: 'EVN', amount: 70_000 });
      await aMovement({ date: DAY, type: 'REFUND', original: earlier, amount: 70_000 });
      // B: collected 200,000 and declared 150,000.
      await aMovement({ date: DAY, point: B, agency: 'EVN', amount: 200_000 });
      // C: 80,000 of cash on delivery came back; 60,000 more went out with postmen; 70,000 declared.
      await aMovement({ date: DAY, point: C, agency: 'CDB', purpose: 'CASH_ON_DELIVERY', amount: 80_000 });
      await codDispatch(C, DAY, 'CDB', 60_000);
      // D: collected and declared nothing.
      await aMovement({ date: DAY, point: D, agency: 'CDB', purpose: 'DOSSIER_FEE', amount: 40_000 });
      // H: a collection undone the same day, and yet cash declared.
      const undone = await aMovement({ date: DAY, point: H, agency: 'THUHO', amount: 15_000 });
      await aMovement({ date: DAY, type: 'REVERSAL', original: undone, amount: 15_000 });
      const [clerkA, clerkB, clerkC, clerkE, clerkG, clerkH] = await Promise.all([A, B, C, E, G, H].map((point) => clerkOf(point)));
      for (const [point, amount, as] of [[A, '120000', clerkA], [B, '150000', clerkB], [C, '70000', clerkC], [E, '5000', clerkE], [G, '0', clerkG], [H, '3000', clerkH]]) {
        expect(code(await declare(point, DAY, amount, as))).toBe('OK');
      }
    });

    it('gives each point its line and status, with the definitions of due and collected', async () => {
      const response = await reconcile({ businessDate: DAY });
      expect(response.errors).toBeUndefined();
      const byPoint = Object.fromEntries(lines(response).map((l: any) => [l.postalPointCode, l]));
      expect(Object.keys(byPoint).sort()).toEqual([A, B, C, D, E, G, H].sort());
      expect(byPoint[A]).toMatchObject({ due: '120000', collected: '120000', remitted: '120000', difference: '0', status: 'MATCHED', movementCount: 5, provinceCode: '001' });
      expect(byPoint[B]).toMatchObject({ due: '200000', collected: '200000', remitted: '150000', difference: '-50000', status: 'SHORT' });
      expect(byPoint[C]).toMatchObject({ due: '60000', collected: '80000', codCollected: '80000', codDispatched: '60000', remitted: '70000', difference: '10000', status: 'OVER', provinceCode: '079' });
      expect(byPoint[D]).toMatchObject({ due: '40000', collected: '40000', remitted: null, difference: '-40000', status: 'MISSING' });
      expect(byPoint[E]).toMatchObject({ due: '0', collected: '0', remitted: '5000', difference: '5000', status: 'UNEXPECTED', movementCount: 0 });
      expect(byPoint[G]).toMatchObject({ due: '0', remitted: '0', difference: '0', status: 'MATCHED' });
      expect(byPoint[H]).toMatchObject({ due: '0', collected: '0', remitted: '3000', difference: '3000', status: 'UNEXPECTED', movementCount: 2 });
      expect(byPoint[A].postalPoint.code).toBe(A);
    });

    it('totals every line, by status too', async () => {
      const { data } = await reconcile({ businessDate: DAY, first: 1 });
      expect(data.reconciliation.totals).toEqual({
        lineCount: 7, due: '420000', collected: '440000', codCollected: '80000', codDispatched: '60000', remitted: '348000', difference: '-72000', toRemit: '420000', cashAdvance: '0',
        byStatus: [
          { status: 'MATCHED', lineCount: 2 }, { status: 'SHORT', lineCount: 1 }, { status: 'OVER', lineCount: 1 },
          { status: 'MISSING', lineCount: 1 }, { status: 'UNEXPECTED', lineCount: 2 },
        ],
      });
      expect(data.reconciliation.csvPath).toBe(`/reports/reconciliation.csv?businessDate=${DAY}`);
    });

    it('pages by postal point code while the totals stay those of the whole day', async () => {
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 4; page++) {
        const { data } = await reconcile({ businessDate: DAY, first: 2, after });
        expect(data.reconciliation.totals.lineCount).toBe(7);
        expect(data.reconciliation.pageInfo).toMatchObject({ hasNextPage: page < 3, hasPreviousPage: page > 0 });
        seen.push(...lines({ data } as any).map((l: any) => l.postalPointCode));
        after = data.reconciliation.pageInfo.endCursor;
      }
      expect(seen).toEqual([A, B, C, D, E, G, H].sort());
      expect(code(await reconcile({ businessDate: DAY, after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
    });

    it('filters by province and by point, with totals of what is shown', async () => {
      const province = await reconcile({ businessDate: DAY, provinceCode: '079' });
      expect(lines(province).map((l: any) => l.postalPointCode)).toEqual([C, D, H].sort());
      expect(province.data.reconciliation.totals).toMatchObject({ lineCount: 3, due: '100000', remitted: '73000', difference: '-27000' });
      const point = await reconcile({ businessDate: DAY, postalPointCode: B });
      expect(lines(point)).toHaveLength(1);
      expect(point.data.reconciliation.totals).toMatchObject({ lineCount: 1, due: '200000', difference: '-50000' });
    });

    it('narrows to an agency: its movements and cash on delivery only, nothing remitted attributable', async () => {
      const evn = await reconcile({ businessDate: DAY, agencyCode: 'evn' });
      expect(lines(evn)).toEqual([
        expect.objectContaining({ postalPointCode: A, due: '150000', collected: '150000', remitted: null, difference: null, status: 'MATCHED' }),
        expect.objectContaining({ postalPointCode: B, due: '200000', collected: '200000', remitted: null, difference: null, status: 'MATCHED' }),
      ]);
      expect(evn.data.reconciliation.totals).toMatchObject({ lineCount: 2, due: '350000', collected: '350000', remitted: null, difference: null });
      const cdb = await reconcile({ businessDate: DAY, agencyCode: 'CDB' });
      const byPoint = Object.fromEntries(lines(cdb).map((l: any) => [l.postalPointCode, l]));
      expect(byPoint[C]).toMatchObject({ due: '60000', collected: '80000', status: 'OVER' });
      expect(byPoint[D]).toMatchObject({ due: '40000', collected: '40000', status: 'MATCHED' });
      const nuoc = await reconcile({ businessDate: DAY, agencyCode: 'NUOC' });
      expect(lines(nuoc)).toEqual([expect.objectContaining({ postalPointCode: A, due: '0', collected: '0', movementCount: 2, status: 'MATCHED' })]);
    });

    it('is read by finance and administrators, by a point\'s own staff for that point only', async () => {
      const allowed: [string, TestTokenClaims, Record<string, unknown>][] = [
        ['finance', { role: Role.FINANCE, level: 2 }, {}],
        ['an administrator', { role: Role.ADMINISTRATOR, level: 2 }, {}],
        ['the point\'s clerk, for the point', { role: Role.POSTAL_CLERK, level: 2, postalPointCode: B }, { postalPointCode: B }],
        ['the point\'s supervisor, for the point', { role: Role.POSTAL_SUPERVISOR, level: 2, postalPointCode: B }, { postalPointCode: B }],
      ];
      const refused: [string, TestTokenClaims, Record<string, unknown>][] = [
        ['finance at level 1', { role: Role.FINANCE, level: 1 }, {}],
        ['the point\'s clerk, for every point', { role: Role.POSTAL_CLERK, level: 2, postalPointCode: B }, {}],
        ['the point\'s clerk, for another point', { role: Role.POSTAL_CLERK, level: 2, postalPointCode: B }, { postalPointCode: A }],
        ['a clerk at level 1', { role: Role.POSTAL_CLERK, level: 1, postalPointCode: B }, { postalPointCode: B }],
        ['an official', { role: Role.OFFICIAL, level: 2, agencyCode: 'EVN' }, { agencyCode: 'EVN' }],
        ['a citizen', { role: Role.CITIZEN, level: 2 }, {}],
      ];
      for (const [who, claims, filter] of allowed) expect(code(await reconcile({ businessDate: DAY, ...filter }, await token(claims))), who).toBe('OK');
      for (const [who, claims, filter] of refused) expect(code(await reconcile({ businessDate: DAY, ...filter }, await token(claims))), who).toBe('FORBIDDEN');
      expect(code(await post(stack.gatewayUrl, RECONCILE, { businessDate: DAY }))).toBe('UNAUTHENTICATED');
    });

    it('exports the same lines as a CSV a spreadsheet opens: BOM, CRLF, quoted Vietnamese names', async () => {
      await sql(`UPDATE payments.postal_points SET name = $2 WHERE code = $1`, [C, 'Bưu cục "Bến Thành", Quận 1']);
      const response = await fetch(`${stack.gateway.url}/reports/reconciliation.csv?businessDate=${DAY}`, { headers: { authorization: `Bearer ${tokens.finance}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="doi-soat_${DAY}.csv"`);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text).toContain('"Bưu cục ""Bến Thành"", Quận 1"');
      expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
      const { records, problems } = splitCsv(text);
      expect(problems).toEqual([]);
      expect(records[0].fields).toEqual(['Ngày nghiệp vụ', 'Mã điểm phục vụ', 'Tên điểm phục vụ', 'Mã tỉnh', 'Tỉnh/Thành phố', 'Phải nộp (đồng)', 'Đã thu (đồng)',
        'Thu hộ COD (đồng)', 'COD giao bưu tá (đồng)', 'Đã nộp (đồng)', 'Chênh lệch (đồng)', 'Cần nộp (đồng)', 'Cấp bù tiền mặt (đồng)', 'Trạng thái', 'Mã trạng thái', 'Số giao dịch']);
      const rows = records.slice(1).map((r) => r.fields);
      expect(rows.map((r) => r[1])).toEqual([A, B, C, D, E, G, H].sort());
      expect(rows.find((r) => r[1] === C)).toEqual([DAY, C, 'Bưu cục "Bến Thành", Quận 1', '079', 'Hồ Chí Minh', '60000', '80000', '80000', '60000', '70000', '10000', '60000', '0', 'Nộp thừa', 'OVER', '1']);
      expect(rows.find((r) => r[1] === D)?.slice(9, 15)).toEqual(['', '-40000', '40000', '0', 'Chưa nộp', 'MISSING']);

      const province = await fetch(`${stack.gateway.url}/reports/reconciliation.csv?businessDate=${DAY}&provinceCode=079`, { headers: { authorization: `Bearer ${tokens.finance}` } });
      expect(splitCsv(await province.text()).records.slice(1).map((r) => r.fields[1])).toEqual([C, D, H].sort());
    });

    it('gives the CSV to finance only: 401 without a token, 403 for anyone else, 400 for a bad filter, here and at the subgraph', async () => {
      const csv = (base: string, as?: string, query = `businessDate=${DAY}`) =>
        fetch(`${base}/reports/reconciliation.csv?${query}`, { headers: as ? { authorization: `Bearer ${as}` } : {} });
      for (const base of [stack.gateway.url, stack.payments.url]) {
        const anonymous = await csv(base);
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
        expect((await csv(base, 'not-a-token')).status).toBe(401);
        for (const claims of [{ role: Role.ADMINISTRATOR }, { role: Role.POSTAL_CLERK, postalPointCode: A }, { role: Role.FINANCE, level: 1 as const }, { role: Role.CITIZEN }]) {
          expect((await csv(base, await token(claims))).status, `${base} ${JSON.stringify(claims)}`).toBe(403);
        }
        const bad = await csv(base, tokens.finance, 'businessDate=2026-02-30&provinceCode=79');
        expect(bad.status).toBe(400);
        expect(await bad.text()).toMatch(/businessDate[\s\S]*provinceCode/);
        expect((await csv(base, tokens.finance)).status).toBe(200);
      }
    });
  });

  describe('a day when points pay out more than they take (pensions paid on behalf of BHXH)', () => {
    const DAY = daysAgo(18);
    let P: string, Q: string, R: string;

    beforeAll(async () => {
      // Points of a third province, used by no other test here.
      [P, Q, R] = (await sql<{ code: string }>(`SELECT code FROM payments.postal_points WHERE province_code NOT IN ('001', '079') AND is_open ORDER BY code LIMIT 3`)).map((p) => p.code);
      for (const point of [P, Q, R]) {
        await aMovement({ date: DAY, point, agency: 'BHXH', type: 'DISBURSEMENT', amount: 500_000 });
        await aMovement({ date: DAY, point, agency: 'EVN', amount: 100_000 });
      }
      await aMovement({ date: DAY, point: R, agency: 'EVN', amount: 350_000 });
      const [clerkP, clerkR] = await Promise.all([P, R].map((point) => clerkOf(point)));
      expect(code(await declare(P, DAY, '0', clerkP))).toBe('OK');
      expect(code(await declare(R, DAY, '10000', clerkR))).toBe('OK');
    });

    it('owes nothing and needs its till topped up: a declaration of 0 matches; nothing declared is missing; cash declared is over', async () => {
      const response = await reconcile({ businessDate: DAY });
      expect(response.errors).toBeUndefined();
      const byPoint = Object.fromEntries(lines(response).map((l: any) => [l.postalPointCode, l]));
      expect(byPoint[P]).toMatchObject({ due: '-400000', toRemit: '0', cashAdvance: '400000', remitted: '0', difference: '0', status: 'MATCHED' });
      expect(byPoint[Q]).toMatchObject({ due: '-400000', toRemit: '0', cashAdvance: '400000', remitted: null, difference: '0', status: 'MISSING' });
      expect(byPoint[R]).toMatchObject({ due: '-50000', toRemit: '0', cashAdvance: '50000', remitted: '10000', difference: '10000', status: 'OVER' });
      expect(response.data.reconciliation.totals).toMatchObject({ lineCount: 3, due: '-850000', toRemit: '0', cashAdvance: '850000', remitted: '10000', difference: '10000' });
      // By agency, cash is not remitted: the disbursements are what BHXH's line is about, and nothing is remitted or advanced.
      const bhxh = await reconcile({ businessDate: DAY, agencyCode: 'BHXH' });
      expect(lines(bhxh)).toContainEqual(expect.objectContaining({ postalPointCode: P, due: '-500000', collected: '-500000', toRemit: null, cashAdvance: null, status: 'MATCHED' }));
    });
  });

  describe('remittances', () => {
    it('are declared by the point\'s own level-2 clerk or supervisor, once, for today or an earlier day, and leave the till', async () => {
      const [point, other] = hanoi.slice(4, 6);
      const clerk = await clerkOf(point);
      const yesterday = daysAgo(1);
      const declared = await gql(stack.gatewayUrl, DECLARE, { postalPointCode: point, businessDate: yesterday, amount: '1250000' }, clerk);
      expect(declared.declareRemittance).toMatchObject({ postalPointCode: point, businessDate: yesterday, amount: '1250000', declaredByRole: 'POSTAL_CLERK', postalPoint: { code: point } });
      expect(await sql(`SELECT account, amount::text FROM payments.ledger_entries WHERE transaction_id = $1 ORDER BY account`, [declared.declareRemittance.id]))
        .toEqual([{ account: `POSTAL_POINT_CASH:${point}`, amount: '-1250000' }, { account: 'REMITTANCE_IN_TRANSIT', amount: '1250000' }]);

      const again = await declare(point, yesterday, '1', clerk);
      expect(code(again)).toBe('CONFLICT');
      expect(code(await declare(point, yesterday, '1', await clerkOf(point, Role.POSTAL_SUPERVISOR)))).toBe('CONFLICT');
      expect(code(await declare(point, today, '0', await clerkOf(point, Role.POSTAL_SUPERVISOR)))).toBe('OK');
      expect(await sql(`SELECT 1 FROM payments.ledger_entries WHERE account = 'REMITTANCE_IN_TRANSIT' AND business_date = $1`, [today])).toEqual([]);

      const future = await declare(point, addDays(today, 1), '1000', clerk);
      expect(future.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'businessDate' }] });
      expect(code(await declare(point, daysAgo(2), '-1', clerk))).toBe('BAD_USER_INPUT');
      expect(code(await declare(other, daysAgo(2), '1000', clerk))).toBe('FORBIDDEN');
      expect(code(await declare(point, daysAgo(2), '1000', await clerkOf(point, Role.POSTAL_CLERK, 1)))).toBe('FORBIDDEN');
      expect(code(await declare(point, daysAgo(2), '1000', tokens.finance))).toBe('FORBIDDEN');
      expect(code(await declare(point, daysAgo(2), '1000'))).toBe('UNAUTHENTICATED');
      expect(code(await declare('999-XX-0000', daysAgo(2), '1000', await clerkOf('999-XX-0000')))).toBe('NOT_FOUND');
      expect(code(await declare(point, daysAgo(2), '1.5', clerk))).toBe('BAD_USER_INPUT');
    });

    it('race to one declaration: of ten at once, one is taken and nine are CONFLICT', async () => {
      const point = hanoi[6];
      const clerk = await clerkOf(point);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => declare(point, daysAgo(3), String(1000 + i), clerk)));
      expect(results.map(code).sort()).toEqual([...Array(9).fill('CONFLICT'), 'OK']);
      expect(await sql(`SELECT count(*)::int AS n FROM payments.remittances WHERE postal_point_code = $1`, [point])).toEqual([{ n: 1 }]);
    });

    it('are never changed or deleted, even in SQL', async () => {
      await expect(sql(`UPDATE payments.remittances SET amount = amount + 1`)).rejects.toThrow(/append-only/);
      await expect(sql(`DELETE FROM payments.remittances`)).rejects.toThrow(/append-only/);
    });
  });

  describe('settlement batches', () => {
    const close = (agencyCode: string, businessDate: string, as = tokens.finance) => post(stack.gatewayUrl, CLOSE, { agencyCode, businessDate }, as);
    const payable = async (agency: string) => (await sql(`SELECT coalesce(sum(amount), 0)::text AS balance FROM payments.ledger_entries WHERE account = $1`, [`AGENCY_PAYABLE:${agency}`]))[0].balance;

    it('take every movement of the agency up to the day, with its signed effect, and settle what the agency is owed', async () => {
      const DAY = daysAgo(10);
      const point = hcmc[2];
      const first = await aMovement({ date: addDays(DAY, -1), point, agency: 'EVNHN', amount: 100_000 });
      await aMovement({ date: DAY, point, agency: 'EVNHN', amount: 200_000 });
      await aMovement({ date: DAY, point: null, agency: 'EVNHN', amount: 40_000 });
      await aMovement({ date: DAY, point, agency: 'EVNHN', type: 'DISBURSEMENT', amount: 30_000 });
      const reversed = await aMovement({ date: DAY, point, agency: 'EVNHN', amount: 50_000 });
      await aMovement({ date: DAY, type: 'REVERSAL', original: reversed, amount: 50_000 });
      const notYet = await aMovement({ date: addDays(DAY, 1), point, agency: 'EVNHN', amount: 7_000 });
      await aMovement({ date: DAY, point, agency: 'OTHER', amount: 1_000 });

      const { closeSettlementBatch: batch } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: 'evnhn', businessDate: DAY }, tokens.finance);
      expect(batch).toMatchObject({ agencyCode: 'EVNHN', businessDate: DAY, settledThrough: DAY, total: '310000', itemCount: 6, adjustmentCount: 0, adjustmentTotal: '0', csvPath: `/reports/settlement-batches/${batch.id}.csv` });
      expect(await sql(`SELECT account, amount::text FROM payments.ledger_entries WHERE transaction_id = $1 ORDER BY account`, [batch.id]))
        .toEqual([{ account: 'AGENCY_PAYABLE:EVNHN', amount: '310000' }, { account: 'SETTLEMENT_BANK', amount: '-310000' }]);
      // What the agency was owed for these movements is now settled: only the movement dated after the day is left.
      expect(await payable('EVNHN')).toBe(String(-notYet.amount));

      const { settlementBatch } = await gql(stack.gatewayUrl, BATCH, { id: batch.id, first: 4 }, tokens.finance);
      expect(settlementBatch.items.pageInfo.hasNextPage).toBe(true);
      const { settlementBatch: rest } = await gql(stack.gatewayUrl, BATCH, { id: batch.id, first: 4, after: settlementBatch.items.pageInfo.endCursor }, tokens.finance);
      const items = [...settlementBatch.items.edges, ...rest.items.edges].map((e: any) => e.node);
      expect(items).toHaveLength(6);
      expect(items.find((i: any) => i.paymentId === first.id)).toMatchObject({ businessDate: addDays(DAY, -1), effect: '100000', isAdjustment: false, type: 'COLLECTION', channel: 'COUNTER' });
      expect(items.filter((i: any) => i.type === 'REVERSAL')).toEqual([expect.objectContaining({ amount: '50000', effect: '-50000', originalPaymentId: reversed.id })]);
      expect(items.filter((i: any) => i.type === 'DISBURSEMENT')).toEqual([expect.objectContaining({ effect: '-30000' })]);
      expect(items.map((i: any) => i.paymentId)).not.toContain(notYet.id);

      expect(code(await close('EVNHN', DAY))).toBe('CONFLICT');
      expect(code(await close('EVNHN', addDays(DAY, -2)))).toBe('CONFLICT');
      const next = await gql(stack.gatewayUrl, CLOSE, { agencyCode: 'EVNHN', businessDate: addDays(DAY, 1) }, tokens.finance);
      expect(next.closeSettlementBatch).toMatchObject({ total: '7000', itemCount: 1, adjustmentCount: 0 });
      expect(await payable('EVNHN')).toBe('0');

      const { settlementBatches } = await gql(stack.gatewayUrl, BATCHES, { agencyCode: 'EVNHN', first: 1 }, tokens.finance);
      expect(settlementBatches.edges.map((e: any) => e.node.businessDate)).toEqual([addDays(DAY, 1)]);
      const { settlementBatches: older } = await gql(stack.gatewayUrl, BATCHES, { agencyCode: 'EVNHN', first: 5, after: settlementBatches.pageInfo.endCursor }, tokens.finance);
      expect(older.edges.map((e: any) => e.node.id)).toEqual([batch.id]);
      expect(older.pageInfo.hasNextPage).toBe(false);
    });

    it('are closed and read by level-2 finance only, for a day that has begun', async () => {
      for (const claims of [{ role: Role.ADMINISTRATOR }, { role: Role.FINANCE, level: 1 as const }, { role: Role.OFFICIAL, agencyCode: 'EVNHN' }, { role: Role.POSTAL_SUPERVISOR, postalPointCode: hanoi[0] }]) {
        const as = await token(claims);
        expect(code(await close('EVNHN', daysAgo(1), as)), JSON.stringify(claims)).toBe('FORBIDDEN');
        expect(code(await post(stack.gatewayUrl, BATCHES, {}, as)), JSON.stringify(claims)).toBe('FORBIDDEN');
        expect(code(await post(stack.gatewayUrl, BATCH, { id: randomUUID() }, as)), JSON.stringify(claims)).toBe('FORBIDDEN');
      }
      expect(code(await close('EVNHN', daysAgo(1), ''))).toBe('UNAUTHENTICATED');
      expect(code(await close('SOMEONE', addDays(today, 1)))).toBe('BAD_USER_INPUT');
      expect(code(await close('not an agency', daysAgo(1)))).toBe('BAD_USER_INPUT');
      expect((await gql(stack.gatewayUrl, BATCH, { id: randomUUID() }, tokens.finance)).settlementBatch).toBeNull();
    });

    it('are immutable: the database refuses to change or delete a closed batch or its items', async () => {
      const { closeSettlementBatch: batch } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: 'EVNHN', businessDate: daysAgo(7) }, tokens.finance);
      await expect(sql(`UPDATE payments.settlement_batches SET total = 0 WHERE id = $1`, [batch.id])).rejects.toThrow(/append-only/);
      await expect(sql(`DELETE FROM payments.settlement_batches WHERE id = $1`, [batch.id])).rejects.toThrow(/append-only/);
      await expect(sql(`UPDATE payments.settlement_batch_items SET effect = 0`)).rejects.toThrow(/append-only/);
      await expect(sql(`DELETE FROM payments.settlement_batch_items`)).rejects.toThrow(/append-only/);
      await expect(sql(`TRUNCATE payments.settlement_batch_items`)).rejects.toThrow(/append-only/);
    });

    it('put corrections recorded after a batch closed into the next batch, as adjustments', async () => {
      const agency = 'ADJ';
      const point = hcmc[3];
      const yesterday = daysAgo(1);
      const kept = await aMovement({ date: yesterday, point, agency, amount: 100_000 });
      const mistaken = await aMovement({ date: yesterday, point, agency, amount: 60_000 });
      const { closeSettlementBatch: first } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: agency, businessDate: yesterday }, tokens.finance);
      // Yesterday is not final yet (a transaction may still commit on it): the batch settles through the day before.
      expect(first).toMatchObject({ total: '160000', itemCount: 2, settledThrough: daysAgo(2) });

      // After the close: a reversal dated yesterday (committed late), a refund of a settled collection, a new collection.
      const reversal = await aMovement({ date: yesterday, type: 'REVERSAL', original: mistaken, amount: 60_000 });
      const refund = await aMovement({ date: today, type: 'REFUND', original: kept, amount: 40_000 });
      const fresh = await aMovement({ date: today, point, agency, amount: 10_000 });
      const { closeSettlementBatch: second } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: agency, businessDate: today }, tokens.finance);
      expect(second).toMatchObject({ total: '-90000', itemCount: 3, adjustmentCount: 2, adjustmentTotal: '-100000' });
      const { settlementBatch } = await gql(stack.gatewayUrl, BATCH, { id: second.id, first: 10 }, tokens.finance);
      const flags = Object.fromEntries(settlementBatch.items.edges.map((e: any) => [e.node.paymentId, [e.node.effect, e.node.isAdjustment]]));
      expect(flags).toEqual({ [reversal.id]: ['-60000', true], [refund.id]: ['-40000', true], [fresh.id]: ['10000', false] });
      // The agency is owed more than it was paid back: the settlement posting goes the other way.
      expect(await sql(`SELECT account, amount::text FROM payments.ledger_entries WHERE transaction_id = $1 ORDER BY account`, [second.id]))
        .toEqual([{ account: 'AGENCY_PAYABLE:ADJ', amount: '-90000' }, { account: 'SETTLEMENT_BANK', amount: '90000' }]);
      expect(await payable(agency)).toBe('0');
      // The first batch is as it was closed.
      expect((await gql(stack.gatewayUrl, BATCH, { id: first.id }, tokens.finance)).settlementBatch).toMatchObject({ total: '160000', itemCount: 2 });
    });

    it('close once even when finance closes the same agency from many places at once: no movement lands in two batches', async () => {
      const agency = 'RACE';
      const point = hanoi[7];
      for (let d = 6; d >= 3; d--) for (let i = 1; i <= 3; i++) await aMovement({ date: daysAgo(d), point, agency, amount: 1_000 * i });
      const attempts = await Promise.all([6, 6, 6, 5, 5, 4, 4, 3, 3, 3].map((d) => close(agency, daysAgo(d))));
      expect(attempts.filter((a) => code(a) === 'OK').length).toBeGreaterThanOrEqual(1);
      expect(attempts.filter((a) => !['OK', 'CONFLICT'].includes(code(a)))).toEqual([]);
      const [{ items, movements: moved, distinct }] = await sql(`
        SELECT (SELECT count(*)::int FROM payments.settlement_batch_items s JOIN payments.settlement_batches b ON b.id = s.batch_id WHERE b.agency_code = $1) AS items,
               (SELECT count(DISTINCT s.payment_id)::int FROM payments.settlement_batch_items s JOIN payments.settlement_batches b ON b.id = s.batch_id WHERE b.agency_code = $1) AS distinct,
               (SELECT count(*)::int FROM payments.payments WHERE agency_code = $1) AS movements`, [agency]);
      expect({ items, distinct }).toEqual({ items: moved, distinct: moved });
      const batches = await sql(`SELECT business_date::text AS day, total::text FROM payments.settlement_batches WHERE agency_code = $1 ORDER BY business_date`, [agency]);
      expect(batches.reduce((sum: bigint, b: any) => sum + BigInt(b.total), 0n)).toBe(24_000n);
      expect(new Set(batches.map((b: any) => b.day)).size).toBe(batches.length);
    });

    it('export their items as CSV for finance, with reasons quoted and formulas defused', async () => {
      const agency = 'CSVAG';
      const DAY = daysAgo(12);
      const original = await aMovement({ date: DAY, point: hanoi[0], agency, amount: 80_000 });
      await aMovement({ date: DAY, type: 'REVERSAL', original, amount: 80_000, reason: 'Khách đổi ý, "hoàn" lại\n=1+1' });
      await aMovement({ date: DAY, point: hanoi[0], agency, amount: 25_000 });
      await sql(`UPDATE payments.postal_points SET name = $2 WHERE code = $1`, [hanoi[0], 'Bưu cục Hoàn Kiếm, Hà Nội']);
      const { closeSettlementBatch: batch } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: agency, businessDate: DAY }, tokens.finance);

      const download = (as?: string, id = batch.id) => fetch(`${stack.gateway.url}/reports/settlement-batches/${id}.csv`, { headers: as ? { authorization: `Bearer ${as}` } : {} });
      const response = await download(tokens.finance);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="quyet-toan_${agency}_${DAY}.csv"`);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const { records, problems } = splitCsv(bytes.toString('utf8'));
      expect(problems).toEqual([]);
      expect(records[0].fields.slice(0, 4)).toEqual(['Đơn vị thụ hưởng', 'Ngày quyết toán', 'Ngày nghiệp vụ', 'Mã giao dịch']);
      const rows = records.slice(1).map((r) => Object.fromEntries(records[0].fields.map((h, i) => [h, r.fields[i]])));
      expect(rows).toHaveLength(3);
      expect(rows.map((r) => r['Quyết toán (đồng)']).sort()).toEqual(['-80000', '25000', '80000']);
      const reversal = rows.find((r) => r['Loại'] === 'REVERSAL')!;
      expect(reversal).toMatchObject({ 'Giao dịch gốc': original.id, 'Lý do': 'Khách đổi ý, "hoàn" lại\n=1+1', 'Tên điểm phục vụ': 'Bưu cục Hoàn Kiếm, Hà Nội', 'Điều chỉnh': 'Không' });
      expect(rows[0]['Thời điểm ghi nhận (giờ Việt Nam)']).toBe(`${DAY} 10:00:00`);

      expect((await download()).status).toBe(401);
      expect((await download(await token({ role: Role.ADMINISTRATOR }))).status).toBe(403);
      expect((await download(await token({ role: Role.OFFICIAL, agencyCode: agency }))).status).toBe(403);
      expect((await download(tokens.finance, randomUUID())).status).toBe(404);
      expect((await download(tokens.finance, 'nonsense')).status).toBe(404);
    });

    it('stream a large batch at the client\'s pace, and end the transaction when the client leaves half-way', async () => {
      const DAY = daysAgo(15);
      const point = hanoi[1];
      await sql(`
        WITH moved AS (
          INSERT INTO payments.payments (business_date, type, purpose, channel, postal_point_code, province_code, agency_code, bill_reference, amount,
            recorded_by_account_id, recorded_by_role, recorded_at)
          SELECT $1::date, 'COLLECTION', 'BILL_PAYMENT', 'COUNTER', $2, '001', 'BULK', 'PE' || g, 1000 + g, gen_random_uuid(), 'POSTAL_CLERK', $1::date + interval '3 hours'
          FROM generate_series(1, 20000) AS g RETURNING id, amount)
        INSERT INTO payments.ledger_entries (business_date, transaction_id, account, amount)
        SELECT $1::date, moved.id, posting.account, posting.amount
        FROM moved, LATERAL (VALUES ('POSTAL_POINT_CASH:' || $2, moved.amount), ('AGENCY_PAYABLE:BULK', -moved.amount)) AS posting(account, amount)`, [DAY, point]);
      const { closeSettlementBatch: batch } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: 'BULK', businessDate: DAY }, tokens.finance);
      expect(batch).toMatchObject({ itemCount: 20000, total: String(20000 * 1000 + (20000 * 20001) / 2) });
      const url = `${stack.gateway.url}${batch.csvPath}`;
      const auth = { headers: { authorization: `Bearer ${tokens.finance}` } };

      // The file (≈3.6 MB) is far more than the sockets hold: the stream waits, its transaction open, for the client.
      const streaming = async () => (await sql(`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state <> 'idle' AND query LIKE 'FETCH % FROM report'`))[0].n;
      const abandoned = await fetch(url, auth);
      const reader = abandoned.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      await expect.poll(streaming, { timeout: 10_000, interval: 50 }).toBe(1);
      await reader.cancel();
      await expect.poll(streaming, { timeout: 10_000, interval: 50 }).toBe(0);

      const whole = splitCsv(await (await fetch(url, auth)).text());
      expect(whole.problems).toEqual([]);
      expect(whole.records).toHaveLength(20_001);
    });
  });

  it('a clerk collects and declares a day, finance reconciles and settles it through the gateway and as CSV', async () => {
    const point = (await sql<{ code: string }>(`SELECT code FROM payments.postal_points WHERE province_code = '001' AND is_open ORDER BY code OFFSET 10 LIMIT 1`))[0].code;
    const clerk = await clerkOf(point);
    const collect = (input: Record<string, unknown>) => gql(stack.gatewayUrl, COLLECT, { input: { idempotencyKey: `e2e-${randomUUID()}`, ...input } }, clerk);
    await collect({ purpose: 'BILL_PAYMENT', amount: '350000', agencyCode: 'EVNE2E', billReference: 'PE01000123456' });
    await collect({ purpose: 'BILL_PAYMENT', amount: '125000', agencyCode: 'EVNE2E', billReference: 'PE01000999999' });
    const paidOut = await collect({ purpose: 'DISBURSEMENT', amount: '75000', agencyCode: 'BHXHE2E' });
    expect(paidOut.collectPayment.businessDate).toBe(today);

    const { declareRemittance } = await gql(stack.gatewayUrl, DECLARE, { postalPointCode: point, businessDate: today, amount: '400000' }, clerk);
    expect(declareRemittance.amount).toBe('400000');

    const own = await reconcile({ businessDate: today, postalPointCode: point }, clerk);
    expect(lines(own)).toEqual([expect.objectContaining({ postalPointCode: point, collected: '400000', due: '400000', remitted: '400000', difference: '0', status: 'MATCHED', movementCount: 3 })]);
    const forFinance = await reconcile({ businessDate: today, postalPointCode: point });
    expect(forFinance.data.reconciliation.totals).toMatchObject({ lineCount: 1, due: '400000', remitted: '400000', difference: '0' });

    const { closeSettlementBatch: batch } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: 'EVNE2E', businessDate: today }, tokens.finance);
    expect(batch).toMatchObject({ total: '475000', itemCount: 2 });
    const { closeSettlementBatch: disbursements } = await gql(stack.gatewayUrl, CLOSE, { agencyCode: 'BHXHE2E', businessDate: today }, tokens.finance);
    expect(disbursements).toMatchObject({ total: '-75000', itemCount: 1 });

    const auth = { headers: { authorization: `Bearer ${tokens.finance}` } };
    const dayCsv = splitCsv(await (await fetch(`${stack.gateway.url}${forFinance.data.reconciliation.csvPath}`, auth)).text());
    expect(dayCsv.records.slice(1).map((r) => r.fields.slice(1, 2).concat(r.fields.slice(5, 7), r.fields.slice(9, 15)))).toEqual([[point, '400000', '400000', '400000', '0', '400000', '0', 'Khớp', 'MATCHED']]);
    const batchCsv = splitCsv(await (await fetch(`${stack.gateway.url}${batch.csvPath}`, auth)).text());
    expect(batchCsv.records.slice(1).map((r) => r.fields[12]).sort()).toEqual(['125000', '350000']);
  });
});
