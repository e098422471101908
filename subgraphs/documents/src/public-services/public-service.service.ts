import type DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { BadInputError, cachedLoader, decodeCursor, escapeLike, foldForSearch, pageSize, toConnection, type Cache, type Connection } from '../../../shared/src';
import { PublicService } from './public-service.entity';
import type { ServiceGroup } from './service-groups';

export type CachedService = Omit<PublicService, never>;

export class PublicServiceCatalogue {
  constructor(private readonly db: DataSource, private readonly cache: Cache<CachedService>) {}

  /** Per request; the catalogue is hot, so lookups go through the shared cache. */
  loader(): DataLoader<string, PublicService | null> {
    return cachedLoader<CachedService, PublicService | null>(this.cache, {
      load: async (missing) => {
        const rows = await this.db.getRepository(PublicService).find({ where: { code: In(missing) } });
        return new Map(rows.map((row) => [row.code, { ...row }]));
      },
      hydrate: (row) => Object.assign(new PublicService(), row),
      otherwise: null,
    });
  }

  async list(filter: { search?: string; group?: ServiceGroup; agencyCode?: string }, first: number | undefined, after: string | undefined): Promise<Connection<PublicService>> {
    const { search, group, agencyCode } = filter;
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['number', 'string']);
    const query = this.db.getRepository(PublicService).createQueryBuilder('s').orderBy('s.position', 'ASC').addOrderBy('s.code', 'ASC').limit(size + 1);
    if (search !== undefined) {
      const folded = foldForSearch(search);
      if (folded.length < 2 || folded.length > 100) throw new BadInputError('"search" must be 2 to 100 characters.', [{ field: 'search', message: '2 to 100 characters' }]);
      query.andWhere(`s.search_text LIKE :q ESCAPE '\\'`, { q: `%${escapeLike(folded)}%` });
    }
    if (group) query.andWhere('s.group_code = :group', { group });
    if (agencyCode !== undefined) query.andWhere('s.agency_code = :agencyCode', { agencyCode: agencyCode.trim().toUpperCase() });
    if (cursor) query.andWhere('(s.position, s.code) > (:position, :code)', { position: cursor[0], code: cursor[1] });
    return toConnection(await query.getMany(), size, (s) => [s.position, s.code], !!cursor);
  }
}
