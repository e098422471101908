import type { DataSource } from 'typeorm';
import {
  lockForTransaction,
  assertCan, BadInputError, can, decodeCursor, isUuid, NotFoundError, pageSize, toConnection, UnauthenticatedError,
  type Connection, type Principal,
} from '../../../shared/src';
import { Partner } from '../partners/partner.entity';
import { Consent } from './consent.entity';
import { checkConsentGrant, consentStatus, purposeKey, type ConsentGrant } from './consent-rules';

const FOREIGN_KEY_VIOLATION = '23503';

/** Consents: granted, listed and revoked by their holder alone. */
export class ConsentService {
  constructor(private readonly db: DataSource, private readonly now = () => new Date()) {}

  /**
   * Grants a partner consent. A grant to the same partner for the same purpose takes the place of the current one
   * (which reads REPLACED), so a check always finds one consent per partner and purpose.
   */
  async grant(principal: Principal | null, input: ConsentGrant): Promise<Consent> {
    const holder = assertCan(principal, 'consent.grant', { accountId: principal?.accountId ?? '' }, 'Only a citizen grants consent, for themselves.');
    const now = this.now();
    const partner = isUuid(input.partnerId) ? await this.db.getRepository(Partner).findOneBy({ id: input.partnerId, active: true }) : null;
    const { value, problems } = checkConsentGrant(input, partner, now);
    if (problems.length || !partner) throw new BadInputError('The consent has problems; see extensions.problems.', problems);
    const key = purposeKey(value.purpose);
    try {
      const consent = await this.db.transaction(async (manager) => {
        // Grants of one holder to one partner for one purpose are serialised: exactly one stays current.
        await lockForTransaction(manager, `identity:consent:${holder.accountId}:${partner.id}:${key}`);
        await manager.query(
          `UPDATE identity.consents SET replaced_at = $4
            WHERE account_id = $1 AND partner_id = $2 AND purpose_key = $3 AND revoked_at IS NULL AND replaced_at IS NULL`,
          [holder.accountId, partner.id, key, now],
        );
        const row = manager.getRepository(Consent).create({
          accountId: holder.accountId, partnerId: partner.id, attributes: value.attributes, documentTypes: value.documentTypes, purpose: value.purpose, purposeKey: key,
          grantedAt: now, expiresAt: value.expiresAt, revokedAt: null, replacedAt: null,
        });
        await manager.getRepository(Consent).insert(row);
        return row;
      });
      return this.withStatus(Object.assign(consent, { partner }), now);
    } catch (error) {
      // A token whose subject is no account (the account is gone): nothing to attach a consent to.
      if (driverCode(error) === FOREIGN_KEY_VIOLATION) throw new UnauthenticatedError('This access token names no account; log in again.');
      throw error;
    }
  }

  /** Revokes the caller's consent at once. Anyone else's consent, or an unknown id, is NOT_FOUND alike. Revoking twice is harmless. */
  async revoke(principal: Principal | null, consentId: string): Promise<Consent> {
    if (!principal) throw new UnauthenticatedError();
    const consent = isUuid(consentId) ? await this.db.getRepository(Consent).findOne({ where: { id: consentId }, relations: { partner: true } }) : null;
    if (!consent || !can(principal, 'consent.revoke', { accountId: consent.accountId })) throw new NotFoundError('No such consent.');
    const now = this.now();
    if (!consent.revokedAt) {
      await this.db.query(`UPDATE identity.consents SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [consent.id, now]);
      consent.revokedAt = now;
    }
    return this.withStatus(consent, now);
  }

  /** An account's consents, newest first, each with its partner (one statement per page). */
  async forAccount(principal: Principal | null, accountId: string, first?: number | null, after?: string | null): Promise<Connection<Consent>> {
    assertCan(principal, 'consent.list', { accountId }, 'Only the holder reads their consents.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['instant', 'uuid']);
    if (!isUuid(accountId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(Consent).createQueryBuilder('c')
      .innerJoinAndSelect('c.partner', 'p')
      .where('c.account_id = :accountId', { accountId })
      .orderBy('c.granted_at', 'DESC').addOrderBy('c.id', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('(c.granted_at, c.id) < (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    const now = this.now();
    const rows = (await query.getMany()).map((c) => this.withStatus(c, now));
    return toConnection(rows, size, (c) => [c.grantedAt.toISOString(), c.id], !!cursor);
  }

  private withStatus(consent: Consent, now: Date): Consent {
    consent.status = consentStatus(consent, now);
    return consent;
  }
}

function driverCode(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
}
