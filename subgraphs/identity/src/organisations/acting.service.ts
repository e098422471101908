import type { DataSource } from 'typeorm';
import {
  assertCan, DELEGATION_SCOPES, ForbiddenError, isUuid, NotFoundError, UnauthenticatedError, type DelegationScope, type Principal,
} from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import type { SessionService } from '../sessions/session.service';
import { Delegation, DelegationStatus } from './delegation.entity';
import type { OrganisationActivityLog } from './organisation-activity';
import { Organisation } from './organisation.entity';
import { delegationStatus } from './organisation-rules';
import { standingOf } from './organisation.service';
import type { ActingSession } from './organisation.types';

/**
 * Acting for an organisation (actForOrganisation): its legal representative, or a delegate under a live delegation,
 * exchanges their access token for one that also carries the `act_for` claim. `sub` stays the person. The new token
 * is signed like every access token and lives at most 15 minutes, never past the delegation's expiry; it belongs to
 * the caller's session (`sid`), which must still be live, so acting can never outlast what a refresh would allow.
 * A revoked delegation's tokens are refused everywhere within a second (`delegation.ended`, see
 * shared/src/auth/revocations.ts); identity also checks the delegation itself before an acting mutation
 * (OrganisationActivityLog.beforeMutation).
 */
export class ActingService {
  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionService,
    private readonly activity: OrganisationActivityLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async actFor(principal: Principal | null, organisationId: string): Promise<ActingSession> {
    if (!principal) throw new UnauthenticatedError();
    const sessionId = principal?.sessionId;
    if (!sessionId || !(await this.sessionIsLive(principal.accountId, sessionId))) {
      throw new UnauthenticatedError('Acting for an organisation needs the access token of a live session; log in again.');
    }
    const now = this.now();
    const issued = await this.db.transaction(async (manager) => {
      const organisation = isUuid(organisationId) ? await manager.getRepository(Organisation).findOne({ where: { id: organisationId } }) : null;
      if (!organisation) throw new NotFoundError('No such organisation.');
      const isRepresentative = organisation.representativeAccountId === principal.accountId;
      // The caller's newest delegation of it, locked against a revocation until the act is recorded.
      const delegation = isRepresentative ? null : await manager.getRepository(Delegation).createQueryBuilder('d')
        .setLock('pessimistic_read')
        .where('d.organisation_id = :org AND d.delegate_account_id = :me AND d.replaced_at IS NULL', { org: organisation.id, me: principal.accountId })
        .orderBy('d.granted_at', 'DESC').addOrderBy('d.id', 'DESC')
        .getOne();
      // Someone who never held a delegation is told the organisation does not exist; a former delegate why it ended.
      if (!isRepresentative && !delegation) throw new NotFoundError('No such organisation.');
      if (delegation) {
        const status = delegationStatus(delegation, now);
        delegation.status = status;
        if (status !== DelegationStatus.ACTIVE) {
          const error = new ForbiddenError(`Your delegation for this organisation ${status === DelegationStatus.EXPIRED ? 'has expired' : 'has been revoked'}; ask its legal representative for a new one.`);
          Object.assign(error.extensions, { action: 'organisation.startActing', reason: `DELEGATION_${status}` });
          throw error;
        }
      }
      const account = await manager.getRepository(Account).findOne({ where: { id: principal.accountId } });
      assertCan(principal, 'organisation.startActing', {
        representativeAccountId: organisation.representativeAccountId, delegateAccountId: delegation?.delegateAccountId ?? null, ...standingOf(account),
      }, 'Only the legal representative or a delegate, with an account active at level 2, acts for an organisation.');
      await this.activity.record(manager, { organisationId: organisation.id, actorAccountId: principal.accountId, delegationId: delegation?.id ?? null, operation: 'actForOrganisation' });
      const scopes: DelegationScope[] = delegation ? [...delegation.scopes] : [...DELEGATION_SCOPES];
      const { token, expiresAt } = await this.sessions.accessToken(account!, sessionId, {
        organisationId: organisation.id, delegationId: delegation?.id ?? null, scopes, until: delegation?.expiresAt ?? null,
      });
      return { organisation, delegation, scopes, token, expiresAt };
    });
    return {
      accessToken: issued.token, tokenType: 'Bearer', expiresAt: issued.expiresAt,
      organisation: issued.organisation, delegation: issued.delegation, scopes: issued.scopes,
    };
  }

  /** A session is live while its newest refresh token is neither used, revoked nor expired (as mySessions lists it). */
  private async sessionIsLive(accountId: string, sessionId: string): Promise<boolean> {
    if (!isUuid(accountId)) return false;
    const rows = await this.db.query(
      `SELECT 1 FROM identity.refresh_tokens
        WHERE account_id = $1 AND family_id = $2 AND replaced_at IS NULL AND revoked_at IS NULL AND expires_at > $3 LIMIT 1`,
      [accountId, sessionId, this.now()],
    );
    return rows.length > 0;
  }
}
