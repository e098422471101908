import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { isUuid } from '../../../shared/src';
import type { CollectionService } from './collection.service';
import { Payment } from './payment.entity';

/** Per request: one `WHERE id IN (…)` (an index scan per monthly partition) for every movement a request names. */
export function createPaymentLoader(db: DataSource): DataLoader<string, Payment | null> {
  return new DataLoader(async (ids) => {
    const valid = ids.filter((id) => isUuid(id)).map((id) => id.toLowerCase());
    const rows = valid.length ? await db.getRepository(Payment).find({ where: { id: In(valid) } }) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}

/** Per request: what each dossier's fee movements add up to, in one statement. */
export function createPaidForDossierLoader(collections: CollectionService): DataLoader<string, bigint> {
  return new DataLoader(async (ids) => {
    const paid = await collections.paidForDossiers(ids);
    return ids.map((id) => paid.get(id.toLowerCase()) ?? 0n);
  });
}
