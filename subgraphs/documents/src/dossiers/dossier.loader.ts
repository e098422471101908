import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { isUuid } from '../../../shared/src';
import { Dossier } from './dossier.entity';

/** Per request: one `WHERE id IN (…)` for all dossiers a request asks for. */
export function createDossierLoader(db: DataSource): DataLoader<string, Dossier | null> {
  return new DataLoader(async (ids) => {
    const valid = ids.filter((id) => isUuid(id));
    const rows = valid.length ? await db.getRepository(Dossier).find({ where: { id: In(valid) } }) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
