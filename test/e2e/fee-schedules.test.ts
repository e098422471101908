import { describe, expect, it } from 'vitest';
import { AGENCIES } from '../../subgraphs/documents/src/agencies/agency.catalogue';
import { CATALOGUE } from '../../subgraphs/documents/src/public-services/catalogue';
import { PASSPORT_ISSUE } from '../../subgraphs/documents/src/public-services/service-groups';
import { PASSPORT_FEE_SCHEDULE } from '../../subgraphs/payments/src/database/migrations/1795800000000-passport-fee-schedule';
import { FEE_SCHEDULES } from '../../subgraphs/payments/src/fee-schedules/fee-schedule.catalogue';
import { foldForSearch } from '../../subgraphs/shared/src';
import { aLoggedInCitizen } from '../kit/builders';
import { gql, post } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

/** A calendar day `days` from today in Vietnam (UTC+7, no daylight saving), computed independently of the service. */
const dayInVietnam = (days: number) => new Date(Date.now() + 7 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

/** What the migrations leave: the opening catalogue, then the passport that came with the eighth service group. */
const WHOLE_CATALOGUE = [...CATALOGUE, PASSPORT_ISSUE];
const PASSPORT_FEES = PASSPORT_FEE_SCHEDULE.items;

const MISSING = (serviceCode: string) => ({
  message: `No fee schedule is in force for service ${serviceCode}; it cannot be charged until one is published.`,
  extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', reason: 'FEE_SCHEDULE_MISSING', serviceCode }),
});

/** A service of the catalogue (documents) and its schedules (payments), written as their migrations would. */
async function aService(stack: Stack, code: string, schedules: { from: string; to?: string; items?: [string, bigint][] }[]): Promise<void> {
  await stack.documents.database.dataSource.query(`INSERT INTO documents.agencies (code, name, level) VALUES ('TEST', 'Cơ quan kiểm thử', 'MINISTRY') ON CONFLICT DO NOTHING`);
  await stack.documents.database.dataSource.query(
    `INSERT INTO documents.public_services (code, name, agency_code, is_active, position, search_text)
     VALUES ($1, $2, 'TEST', true, 1000, $3)`,
    [code, `Thủ tục kiểm thử ${code}`, `thu tuc kiem thu ${code.toLowerCase()}`],
  );
  for (const { from, to, items = [] } of schedules) {
    const [{ id }] = await stack.payments.database.dataSource.query(
      `INSERT INTO payments.fee_schedules (service_code, effective_from, effective_to) VALUES ($1, $2, $3) RETURNING id`, [code, from, to ?? null]);
    await stack.payments.database.dataSource.query(
      `INSERT INTO payments.fee_schedule_items (schedule_id, name, amount, position)
       SELECT $1, name, amount, position FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS i(name, amount, position)`,
      [id, items.map(([name]) => name), items.map(([, amount]) => amount.toString())],
    );
  }
}

describe('fee schedules through the gateway', () => {
  const stack = useStack({ postalPoints: 100 });
  const [yesterday, today, tomorrow] = [dayInVietnam(-1), dayInVietnam(0), dayInVietnam(1)];

  it('has the whole catalogue and its fee schedules from the migrations alone, nothing seeded', async () => {
    const { publicServices } = await gql(stack.gatewayUrl, `{ publicServices(first: 100) { edges { node { code name agencyCode feeSchedule { total items { name amount } effectiveFrom effectiveTo } } } } }`);
    expect(publicServices.edges.map((e: any) => e.node)).toEqual(WHOLE_CATALOGUE.map((service) => ({
      code: service.code, name: service.name, agencyCode: service.agencyCode,
      feeSchedule: {
        total: (FEE_SCHEDULES[service.code] ?? PASSPORT_FEES).reduce((sum, item) => sum + item.amount, 0n).toString(),
        items: (FEE_SCHEDULES[service.code] ?? PASSPORT_FEES).map((item) => ({ name: item.name, amount: item.amount.toString() })),
        effectiveFrom: '2024-01-01', effectiveTo: null,
      },
    })));
    expect(await stack.documents.database.dataSource.query(`SELECT code, position, search_text FROM documents.public_services ORDER BY position`)).toEqual(
      WHOLE_CATALOGUE.map((s, i) => ({ code: s.code, position: (i + 1) * 10, search_text: foldForSearch(`${s.name} ${s.code} ${AGENCIES.find((a) => a.code === s.agencyCode)!.name}`) })));
    // Search works on what the migration wrote: diacritics and case folded.
    const { publicServices: found } = await gql(stack.gatewayUrl, `{ publicServices(search: "DOI GIAY PHEP") { edges { node { code } } } }`);
    expect(found.edges).toEqual([{ node: { code: 'GPLX_EXCHANGE' } }]);
  });

  it('prices each service by the schedule in force today, and fails only the services that have none', async () => {
    await aService(stack, 'T_SWITCHED', [{ from: '2024-01-01', to: yesterday, items: [['Lệ phí cũ', 10_000n]] }, { from: today, items: [['Lệ phí mới', 12_000n]] }]);
    await aService(stack, 'T_LAST_DAY', [{ from: '2024-01-01', to: today, items: [['Lệ phí', 5_000n]] }, { from: tomorrow, items: [['Lệ phí', 6_000n]] }]);
    await aService(stack, 'T_ENDED', [{ from: '2024-01-01', to: yesterday, items: [['Lệ phí', 1_000n]] }]);
    await aService(stack, 'T_NOT_YET', [{ from: tomorrow, items: [['Lệ phí', 1_000n]] }]);
    await aService(stack, 'T_FREE', [{ from: '2024-01-01' }]);
    await aService(stack, 'T_NONE', []);

    const result = await post(stack.gatewayUrl, `{ publicServices(search: "kiem thu", first: 100) { edges { node { code feeSchedule { total effectiveFrom effectiveTo } } } } }`);
    const byCode = Object.fromEntries(result.data.publicServices.edges.map((e: any) => [e.node.code, e.node.feeSchedule]));
    expect(byCode).toEqual({
      T_SWITCHED: { total: '12000', effectiveFrom: today, effectiveTo: null },
      T_LAST_DAY: { total: '5000', effectiveFrom: '2024-01-01', effectiveTo: today },
      T_FREE: { total: '0', effectiveFrom: '2024-01-01', effectiveTo: null },
      // The list stands; only the schedules that cannot be given are null, each with its own error.
      T_ENDED: null, T_NOT_YET: null, T_NONE: null,
    });
    const codes = result.data.publicServices.edges.map((e: any) => e.node.code);
    expect(result.errors).toHaveLength(3);
    for (const code of ['T_ENDED', 'T_NOT_YET', 'T_NONE']) {
      expect(result.errors).toContainEqual(expect.objectContaining({ ...MISSING(code), path: ['publicServices', 'edges', codes.indexOf(code), 'node', 'feeSchedule'] }));
    }
  });

  it('answers feeSchedule of one service without a schedule with null and SERVICE_UNAVAILABLE / FEE_SCHEDULE_MISSING', async () => {
    await aService(stack, 'T_UNPRICED', []);
    const result = await post(stack.gatewayUrl, `{ publicService(code: "T_UNPRICED") { name feeSchedule { total } } }`);
    expect(result.data).toEqual({ publicService: { name: 'Thủ tục kiểm thử T_UNPRICED', feeSchedule: null } });
    expect(result.errors).toEqual([expect.objectContaining({ ...MISSING('T_UNPRICED'), path: ['publicService', 'feeSchedule'] })]);
  });

  it('answers amountDue of a dossier whose service has no schedule with null and the same error, the other dossiers intact', async () => {
    await aService(stack, 'T_DOSSIER_UNPRICED', []);
    await aService(stack, 'T_DOSSIER_FREE', [{ from: '2024-01-01' }]);
    const citizen = await aLoggedInCitizen(stack);
    const services = ['GPLX_EXCHANGE', 'T_DOSSIER_UNPRICED', 'T_DOSSIER_FREE'];
    await stack.documents.database.dataSource.query(
      `INSERT INTO documents.dossiers (registration_code, service_code, applicant_account_id, status, channel, appointment_date, delivery_method, submitted_at)
       SELECT 'HS-261125-' || lpad(n::text, 8, '0'), ($2::text[])[n], $1, 'SUBMITTED', 'ONLINE', DATE '2099-01-01', 'PICKUP', now() - n * interval '1 minute'
       FROM generate_series(1, 3) AS n`, [citizen.accountId, services]);

    const result = await post(stack.gatewayUrl, `{ me { dossiers(first: 10) { edges { node { serviceCode amountDue } } } } }`, {}, citizen.token);
    const edges = result.data.me.dossiers.edges.map((e: any) => e.node);
    expect(edges).toEqual([
      { serviceCode: 'GPLX_EXCHANGE', amountDue: '135000' },
      { serviceCode: 'T_DOSSIER_UNPRICED', amountDue: null },
      { serviceCode: 'T_DOSSIER_FREE', amountDue: '0' },
    ]);
    expect(result.errors).toEqual([expect.objectContaining({ ...MISSING('T_DOSSIER_UNPRICED'), path: ['me', 'dossiers', 'edges', 1, 'node', 'amountDue'] })]);
  });
});
