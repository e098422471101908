import type { DataSource } from 'typeorm';
import { assertCan, decodeCursor, isUuid, pageSize, toConnection, type Connection, type Principal } from '../../../shared/src';
import { AccessLogEntry } from './access-log.entity';

export class AccessLogService {
  constructor(private readonly db: DataSource) {}

  /** An account's access log, newest first, keyset-paginated on the order of writing; only its holder (or an administrator) reads it. */
  async forAccount(principal: Principal | null, accountId: string, first?: number | null, after?: string | null): Promise<Connection<AccessLogEntry>> {
    assertCan(principal, 'account.readAccessLog', { accountId }, 'Only the holder reads their access log.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['bigint']);
    if (!isUuid(accountId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(AccessLogEntry).createQueryBuilder('e')
      .where('e.account_id = :accountId', { accountId })
      .orderBy('e.seq', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('e.seq < :seq::bigint', { seq: cursor[0] });
    return toConnection(await query.getMany(), size, (e) => [e.seq], !!cursor);
  }
}
