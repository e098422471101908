import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { AGENCY_CODE } from '../../../shared/src';
import { Agency } from './agency.entity';

/** Per request: one `WHERE code IN (…)` for every agency a request names (a few dozen rows in all). */
export function createAgencyLoader(db: DataSource): DataLoader<string, Agency | null> {
  return new DataLoader(async (codes) => {
    const valid = codes.filter((code) => AGENCY_CODE.test(code));
    const rows = valid.length ? await db.getRepository(Agency).find({ where: { code: In(valid) } }) : [];
    const byCode = new Map(rows.map((row) => [row.code, row]));
    return codes.map((code) => byCode.get(code) ?? null);
  });
}
