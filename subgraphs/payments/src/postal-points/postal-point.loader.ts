import type DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { cachedLoader, type Cache } from '../../../shared/src';
import { PostalPoint } from './postal-point.entity';

export const POSTAL_POINT_CACHE = { family: 'payments:postal-point:v1', ttlSeconds: 300 };

/** What the cache keeps of a postal point (JSON: the date travels as a string). */
export type CachedPostalPoint = Omit<PostalPoint, 'updatedAt'> & { updatedAt: string };

export function hydratePostalPoint(cached: CachedPostalPoint): PostalPoint {
  return Object.assign(new PostalPoint(), cached, { updatedAt: new Date(cached.updatedAt) });
}

/** Per request: every postal-point lookup of one request is one cache read and at most one `WHERE code IN (…)`. */
export function createPostalPointLoader(db: DataSource, cache: Cache<CachedPostalPoint>): DataLoader<string, PostalPoint | null> {
  return cachedLoader<CachedPostalPoint, PostalPoint | null>(cache, {
    load: async (missing) => {
      const rows = await db.getRepository(PostalPoint).find({ where: { code: In(missing) } });
      return new Map(rows.map((row) => [row.code, JSON.parse(JSON.stringify(row)) as CachedPostalPoint]));
    },
    hydrate: hydratePostalPoint,
    otherwise: null,
  });
}
