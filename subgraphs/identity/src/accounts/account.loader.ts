import type DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { cachedLoader, isUuid, type Cache } from '../../../shared/src';
import { Account } from './account.entity';

/** What the cache keeps of an account: never the password hash (it is not selected). */
export type CachedAccount = Omit<Account, 'createdAt' | 'updatedAt' | 'activatedAt' | 'statusChangedAt' | 'verificationPostalPoint' | 'passwordHash'>
  & { createdAt: string; updatedAt: string; activatedAt: string | null; statusChangedAt: string | null };

export function hydrateAccount(cached: CachedAccount): Account {
  const instant = (value: string | null) => (value === null ? null : new Date(value));
  return Object.assign(new Account(), cached, {
    createdAt: new Date(cached.createdAt), updatedAt: new Date(cached.updatedAt),
    activatedAt: instant(cached.activatedAt), statusChangedAt: instant(cached.statusChangedAt),
  });
}

/** Per request: every account lookup of one request is one cache read and at most one `WHERE id IN (…)`. */
export function createAccountLoader(db: DataSource, cache: Cache<CachedAccount>): DataLoader<string, Account | null> {
  return cachedLoader<CachedAccount, Account | null>(cache, {
    accepts: isUuid,
    load: async (missing) => {
      const rows = await db.getRepository(Account).find({ where: { id: In(missing) } });
      return new Map(rows.map((row) => [row.id, JSON.parse(JSON.stringify(row)) as CachedAccount]));
    },
    hydrate: hydrateAccount,
    otherwise: null,
  });
}
