import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A partner's own limit of requests per minute at the gateway, set at registration and carried in its tokens
 * (partners/partner-token.ts). Null: the gateway's default for every client. The range is partner-rules.ts's.
 */
export class PartnerRequestLimits1795900000000 implements MigrationInterface {
  name = 'PartnerRequestLimits1795900000000';

  async up(q: QueryRunner): Promise<void> {
    // A nullable column without a default rewrites no row.
    await q.query(`
      ALTER TABLE identity.partners
        ADD COLUMN requests_per_minute integer,
        ADD CONSTRAINT partners_requests_per_minute_range CHECK (requests_per_minute BETWEEN 1 AND 100000)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE identity.partners DROP COLUMN requests_per_minute`);
  }
}
