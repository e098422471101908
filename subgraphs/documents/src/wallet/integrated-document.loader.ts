import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { isUuid, todayInVietnam } from '../../../shared/src';
import { DOCUMENT_TYPES, type IntegratedDocumentType } from './document-rules';
import { IntegratedDocument } from './integrated-document.entity';

/** Per request: one `WHERE id IN (…)` for all documents a request asks for. */
export function createIntegratedDocumentLoader(db: DataSource): DataLoader<string, IntegratedDocument | null> {
  return new DataLoader(async (ids) => {
    const valid = ids.filter((id) => isUuid(id));
    const rows = valid.length ? await db.getRepository(IntegratedDocument).find({ where: { id: In(valid) } }) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}

export interface HolderAndType { holderAccountId: string; type: IntegratedDocumentType }

/**
 * Per request: a holder's VALID documents of one type (revoked ones and those past their expiry date left out),
 * newest issued first; one statement for every pair a request asks for.
 */
export function createValidDocumentsOfTypeLoader(db: DataSource): DataLoader<HolderAndType, IntegratedDocument[], string> {
  return new DataLoader(async (pairs) => {
    const valid = pairs.filter((p) => isUuid(p.holderAccountId) && DOCUMENT_TYPES.includes(p.type));
    const rows = valid.length
      ? await db.getRepository(IntegratedDocument).createQueryBuilder('d')
        .where('(d.holder_account_id, d.type) IN (SELECT * FROM unnest(:holders::uuid[], :types::text[]))', { holders: valid.map((p) => p.holderAccountId), types: valid.map((p) => p.type) })
        .andWhere('d.revoked_at IS NULL AND (d.expires_on IS NULL OR d.expires_on >= :today::date)', { today: todayInVietnam() })
        .orderBy('d.issued_on', 'DESC').addOrderBy('d.id', 'DESC')
        .getMany()
      : [];
    return pairs.map((p) => rows.filter((row) => row.holderAccountId === p.holderAccountId.toLowerCase() && row.type === p.type));
  }, { cacheKeyFn: (p) => `${p.holderAccountId.toLowerCase()} ${p.type}` });
}
