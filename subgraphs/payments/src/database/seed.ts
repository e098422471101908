import type { DataSource } from 'typeorm';
import { createLogger, Role, todayInVietnam, type Principal } from '../../../shared/src';
import { CollectionService, type CollectionLoaders } from '../collections/collection.service';
import { PaymentPurpose } from '../collections/payment.entity';
import { PostalPoint } from '../postal-points/postal-point.entity';

export const DEMO_POSTAL_POINT = '001-BC-0001';

/**
 * Development only: today's counter work at the demo clerk's postal point, so that finance has a day to reconcile and
 * settle at once. Written through the collection service with idempotency keys named after the day: running the
 * seed again the same day replays them and writes nothing; the next day adds that day's.
 */
export async function seedDemoPayments(db: DataSource, clerkAccountId: string): Promise<number> {
  const clerk: Principal = { accountId: clerkAccountId, role: Role.POSTAL_CLERK, level: 2, postalPointCode: DEMO_POSTAL_POINT };
  const loaders = {
    postalPoints: { load: (code: string) => db.getRepository(PostalPoint).findOneBy({ code }) },
    feeSchedules: { load: async () => null },
  } as unknown as CollectionLoaders;
  const service = new CollectionService(db, createLogger({ service: 'seed', level: 'warn' }));
  const day = todayInVietnam();
  const work: { purpose: PaymentPurpose; amount: bigint; agencyCode: string; billReference?: string }[] = [
    { purpose: PaymentPurpose.BILL_PAYMENT, amount: 356_000n, agencyCode: 'EVN', billReference: 'PE01000123456' },
    { purpose: PaymentPurpose.BILL_PAYMENT, amount: 1_204_500n, agencyCode: 'EVN', billReference: 'PE01000654321' },
    { purpose: PaymentPurpose.BILL_PAYMENT, amount: 187_000n, agencyCode: 'NUOC_HN', billReference: 'HN-2026-004411' },
    { purpose: PaymentPurpose.DISBURSEMENT, amount: 2_350_000n, agencyCode: 'BHXH' },
  ];
  for (const [i, item] of work.entries()) {
    await service.collect(clerk, { idempotencyKey: `demo-${day}-${i + 1}`, ...item }, loaders);
  }
  return work.length;
}
