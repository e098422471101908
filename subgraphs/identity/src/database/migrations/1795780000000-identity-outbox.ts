import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxIndex, outboxTable } from '../../../../shared/src/events/outbox';

/**
 * Identity's outbox: the events it announces to every other process, written with the change they announce and
 * relayed to the stream `<prefix>events:identity` (first: ended sessions and delegations, which every verifier of
 * access tokens reads; see shared/src/auth/revocations.ts).
 *
 * Sessions and delegations that ended in the last access-token lifetime before this migration are announced once,
 * so that their still-unexpired access tokens are refused as soon as the lists start reading.
 */
export class IdentityOutbox1795780000000 implements MigrationInterface {
  name = 'IdentityOutbox1795780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(outboxTable('identity'));
    await q.query(outboxIndex('identity'));
    await q.query(`
      INSERT INTO identity.outbox (type, payload)
      SELECT 'session.ended', jsonb_build_object('sessionId', family_id, 'accountId', account_id)
      FROM identity.refresh_tokens
      WHERE revoked_at > now() - interval '16 minutes'
      GROUP BY family_id, account_id
      ORDER BY max(revoked_at)`);
    await q.query(`
      INSERT INTO identity.outbox (type, payload)
      SELECT 'delegation.ended', jsonb_build_object('delegationId', id)
      FROM identity.delegations
      WHERE coalesce(revoked_at, replaced_at) > now() - interval '16 minutes'
      ORDER BY coalesce(revoked_at, replaced_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.outbox`);
  }
}
