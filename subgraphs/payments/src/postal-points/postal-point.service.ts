import type { DataSource } from 'typeorm';
import { assertCan, decodeCursor, NotFoundError, pageSize, toConnection, type Cache, type Connection, type Logger, type Principal } from '../../../shared/src';
import { PAYMENTS_SCHEMA } from '../database/data-source';
import { PostalPoint } from './postal-point.entity';
import type { CachedPostalPoint } from './postal-point.loader';
import { checkProvinceCode, searchPattern } from './postal-point.rules';

export interface PostalPointFilter { provinceCode?: string | null; search?: string | null }
export interface PageRequest { first?: number | null; after?: string | null }

export class PostalPointService {
  constructor(private readonly db: DataSource, private readonly cache: Cache<CachedPostalPoint>, private readonly log: Logger) {}

  /** Keyset pagination by code: each page is an index range scan, however deep the client pages. */
  async list(filter: PostalPointFilter, page: PageRequest): Promise<Connection<PostalPoint>> {
    const provinceCode = checkProvinceCode(filter.provinceCode);
    const pattern = searchPattern(filter.search);
    const size = pageSize(page.first);
    const after = decodeCursor(page.after, ['string'])?.[0];

    const query = this.db.getRepository(PostalPoint).createQueryBuilder('p').orderBy('p.code', 'ASC').limit(size + 1);
    if (provinceCode) query.andWhere('p.provinceCode = :provinceCode', { provinceCode });
    // search_text is generated with the same fold, so both sides agree on what "ha noi" and "Hà Nội" are.
    if (pattern) query.andWhere(`p.search_text LIKE ${PAYMENTS_SCHEMA}.search_fold(:pattern)`, { pattern });
    if (after !== undefined) query.andWhere('p.code > :after', { after });
    return toConnection(await query.getMany(), size, (p) => [p.code], after !== undefined);
  }

  /** Opens or closes a point; the cache entry is purged so every replica sees the change at once. */
  async setOpen(code: string, isOpen: boolean, caller: Principal | null): Promise<PostalPoint> {
    const by = assertCan(caller, 'postalPoint.setOpen', { postalPointCode: code }, 'Only an administrator opens or closes postal points.');
    const repo = this.db.getRepository(PostalPoint);
    const result = await repo.update({ code }, { isOpen });
    if (!result.affected) throw new NotFoundError(`No postal point has the code "${code}".`);
    await this.cache.purge(code);
    this.log.info(isOpen ? 'postal point opened' : 'postal point closed', { code, by: by.accountId });
    return repo.findOneByOrFail({ code });
  }
}
