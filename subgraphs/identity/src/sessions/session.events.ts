import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { OutboxWriter, type RevocationEvent, type RevocationList } from '../../../shared/src';

/** Where a transaction keeps the endings it announced until it commits (the query runner's scratch data). */
const PENDING = 'revocationEvents';

/**
 * Announces ended sessions and delegations (revocations.ts in the platform says who reads them and why): each event
 * is written to identity's outbox in the transaction of the change, so it exists exactly when the change does.
 *
 * With `local` (this process's revocation list), the events are also noted in it as soon as the transaction commits,
 * so the identity replica that ended a session refuses its tokens at once, without waiting for the relay and the
 * stream (about 200 ms). The others, other identity replicas included, learn of it through the stream within a second.
 */
export class SessionEvents {
  private readonly outbox: OutboxWriter;

  constructor(schema = 'identity', private readonly local?: { db: DataSource; list: RevocationList }) {
    this.outbox = new OutboxWriter(schema);
    if (local) local.db.subscribers.push(noteOnCommit(local.list));
  }

  /** Writes the events in the caller's transaction (outside one, each is a statement of its own). */
  async write(manager: EntityManager, ...events: RevocationEvent[]): Promise<void> {
    if (!events.length) return;
    await this.outbox.write(manager, ...events);
    if (!this.local) return;
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      // Not in a transaction: the statement has committed already.
      for (const event of events) this.local.list.note(event);
      return;
    }
    runner.data = { ...runner.data, [PENDING]: [...((runner.data?.[PENDING] as RevocationEvent[] | undefined) ?? []), ...events] };
  }
}

/**
 * TypeORM's transaction hooks (a subscriber of the data source): after the outermost commit, not a savepoint's, notes
 * what the transaction announced; after its rollback, forgets it. (Events written inside a savepoint that is rolled
 * back would wait for the outer commit; nothing that ends sessions uses savepoints.)
 */
function noteOnCommit(list: RevocationList): EntitySubscriberInterface {
  const take = (event: TransactionCommitEvent | TransactionRollbackEvent): RevocationEvent[] => {
    const runner = event.queryRunner;
    if (runner.isTransactionActive) return [];
    const pending = (runner.data?.[PENDING] as RevocationEvent[] | undefined) ?? [];
    if (pending.length) delete runner.data[PENDING];
    return pending;
  };
  return {
    afterTransactionCommit(event) { for (const e of take(event)) list.note(e); },
    afterTransactionRollback(event) { take(event); },
  };
}
