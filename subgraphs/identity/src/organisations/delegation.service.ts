import type { DataSource } from 'typeorm';
import {
  lockForTransaction,
  assertCan, BadInputError, can, decodeCursor, delegationEnded, isUuid, NotFoundError, pageSize, Role, toConnection, UnauthenticatedError,
  type Connection, type FieldProblem, type Principal,
} from '../../../shared/src';
import { SessionEvents } from '../sessions/session.events';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import { Delegation } from './delegation.entity';
import type { OrganisationActivityLog } from './organisation-activity';
import type { Organisation } from './organisation.entity';
import type { OrganisationLoader } from './organisation.loader';
import { checkDelegationGrant, delegationStatus, type DelegationGrant } from './organisation-rules';
import { seeOrganisation, standingOf, visibleTo } from './organisation.service';

const MANAGE_REFUSED = 'Only the organisation\'s legal representative, with an account active at level 2, grants and revokes its delegations.';
/** One answer for an unknown number and for a person who may not be a delegate: it tells nobody who is registered. */
const NO_SUCH_DELEGATE = 'No citizen account active at level 2 has this personal identification number.';

/**
 * Delegations: the legal representative grants them to other level-2 citizens (by personal identification number),
 * with scopes and an expiry, and revokes them; a new grant to the same person replaces the current one. Every grant
 * and revocation is in the organisation's activity log, in its transaction. A delegation that ends by revocation or
 * replacement is announced (`delegation.ended`) in that transaction too, so act tokens issued under it are refused
 * everywhere within a second; one that expires needs no announcement (its act tokens never outlive it).
 */
export class DelegationService {
  constructor(
    private readonly db: DataSource,
    private readonly activity: OrganisationActivityLog,
    private readonly now: () => Date = () => new Date(),
    private readonly events = new SessionEvents(),
  ) {}

  async grant(principal: Principal | null, input: DelegationGrant, organisations: OrganisationLoader): Promise<Delegation> {
    if (!principal) throw new UnauthenticatedError();
    const organisation = visibleTo(principal, await seeOrganisation(principal, organisations, input.organisationId));
    if (!organisation) throw new NotFoundError('No such organisation.');
    const caller = await this.db.getRepository(Account).findOne({ where: { id: principal.accountId } });
    assertCan(principal, 'organisation.manageDelegations', { representativeAccountId: organisation.representativeAccountId, ...standingOf(caller) }, MANAGE_REFUSED);

    const now = this.now();
    const { value, problems } = checkDelegationGrant(input, now);
    const delegate = problems.some((p) => p.field === 'delegatePersonalIdNumber')
      ? null
      : await this.db.getRepository(Account).findOne({ where: { personalIdNumber: value.delegatePersonalIdNumber } });
    const delegateProblem = this.delegateProblem(delegate, caller!);
    if (delegateProblem && !problems.some((p) => p.field === 'delegatePersonalIdNumber')) problems.unshift(delegateProblem);
    if (problems.length) throw new BadInputError('The delegation has problems; see extensions.problems.', problems);

    const delegation = await this.db.transaction(async (manager) => {
      // Grants of one organisation to one person are serialised: exactly one stays current.
      await lockForTransaction(manager, `identity:delegation:${organisation.id}:${delegate!.id}`);
      const [replaced] = (await manager.query(
        `UPDATE identity.delegations SET replaced_at = $3
          WHERE organisation_id = $1 AND delegate_account_id = $2 AND revoked_at IS NULL AND replaced_at IS NULL RETURNING id`,
        [organisation.id, delegate!.id, now],
      )) as [{ id: string }[], number];
      // The replaced delegation's act tokens may carry other scopes: they end with it, as identity already holds.
      await this.events.write(manager, ...replaced.map((r) => delegationEnded(r.id)));
      const row = manager.getRepository(Delegation).create({
        organisationId: organisation.id, delegateAccountId: delegate!.id, scopes: value.scopes, grantedByAccountId: caller!.id,
        grantedAt: now, expiresAt: value.expiresAt, revokedAt: null, revokedByAccountId: null, replacedAt: null,
      });
      await manager.getRepository(Delegation).insert(row);
      await this.activity.record(manager, { organisationId: organisation.id, actorAccountId: caller!.id, delegationId: null, operation: 'grantDelegation', subjectId: row.id });
      return row;
    });
    organisations.clearAll();
    return this.withStatus(delegation, now);
  }

  /** Revokes a delegation at once. The delegate and administrators see it but may not (FORBIDDEN); anyone else is told it does not exist. */
  async revoke(principal: Principal | null, delegationId: string): Promise<Delegation> {
    if (!principal) throw new UnauthenticatedError();
    const found = isUuid(delegationId) ? await this.db.getRepository(Delegation).findOne({ where: { id: delegationId } }) : null;
    const organisation = found ? await this.organisationOf(found) : null;
    if (!found || !organisation || !can(principal, 'delegation.read', { representativeAccountId: organisation.representativeAccountId, delegateAccountId: found.delegateAccountId })) {
      throw new NotFoundError('No such delegation.');
    }
    const caller = await this.db.getRepository(Account).findOne({ where: { id: principal.accountId } });
    assertCan(principal, 'organisation.manageDelegations', { representativeAccountId: organisation.representativeAccountId, ...standingOf(caller) }, MANAGE_REFUSED);
    const now = this.now();
    // Revoking twice, or revoking one already replaced, changes nothing and records nothing.
    const revoked = await this.db.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE identity.delegations SET revoked_at = $2, revoked_by_account_id = $3
          WHERE id = $1 AND revoked_at IS NULL AND replaced_at IS NULL RETURNING id`,
        [found.id, now, caller!.id],
      )) as [unknown[], number];
      if (!rows.length) return false;
      await this.activity.record(manager, { organisationId: organisation.id, actorAccountId: caller!.id, delegationId: null, operation: 'revokeDelegation', subjectId: found.id });
      await this.events.write(manager, delegationEnded(found.id));
      return true;
    });
    if (revoked) Object.assign(found, { revokedAt: now, revokedByAccountId: caller!.id });
    return this.withStatus(found, now);
  }

  /** An organisation's delegations, newest first, whatever their status: its representative and administrators. */
  async forOrganisation(principal: Principal | null, organisation: Organisation, first?: number | null, after?: string | null): Promise<Connection<Delegation>> {
    assertCan(principal, 'organisation.readDelegations', { representativeAccountId: organisation.representativeAccountId }, 'Only the organisation\'s legal representative lists its delegations.');
    return this.page({ organisationId: organisation.id }, first, after);
  }

  /** The delegations granted to the caller, newest first, whatever their status. */
  async mine(principal: Principal | null, first?: number | null, after?: string | null): Promise<Connection<Delegation>> {
    const caller = assertCan(principal, 'organisation.listForAccount', { accountId: principal?.accountId ?? '' });
    return this.page({ delegateAccountId: caller.accountId }, first, after);
  }

  /** The delegation, when the caller may see it ('delegation.read'): reached through a field (an activity entry). */
  async visible(principal: Principal | null, delegation: Delegation | null, organisations: OrganisationLoader): Promise<Delegation | null> {
    if (!principal || !delegation) return null;
    const seen = await seeOrganisation(principal, organisations, delegation.organisationId);
    return seen && can(principal, 'delegation.read', { representativeAccountId: seen.organisation.representativeAccountId, delegateAccountId: delegation.delegateAccountId })
      ? delegation : null;
  }

  withStatus(delegation: Delegation, now: Date = this.now()): Delegation {
    delegation.status = delegationStatus(delegation, now);
    return delegation;
  }

  /** Who may be a delegate: a citizen (not staff, not a machine) whose account is active at level 2, not the grantor. */
  private delegateProblem(delegate: Account | null, grantor: Account): FieldProblem | null {
    if (delegate && delegate.id === grantor.id) {
      return { field: 'delegatePersonalIdNumber', message: 'This is your own number: as legal representative you act for the organisation without a delegation.' };
    }
    const eligible = !!delegate && delegate.kind === AccountKind.CITIZEN && delegate.role === Role.CITIZEN
      && delegate.status === AccountStatus.ACTIVE && delegate.level === AssuranceLevel.LEVEL_2;
    return eligible ? null : { field: 'delegatePersonalIdNumber', message: NO_SUCH_DELEGATE };
  }

  private async organisationOf(delegation: Delegation): Promise<Organisation | null> {
    const [row] = (await this.db.query(`SELECT id, representative_account_id FROM identity.organisations WHERE id = $1`, [delegation.organisationId])) as { id: string; representative_account_id: string }[];
    return row ? ({ id: row.id, representativeAccountId: row.representative_account_id } as Organisation) : null;
  }

  private async page(where: { organisationId: string } | { delegateAccountId: string }, first?: number | null, after?: string | null): Promise<Connection<Delegation>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['instant', 'uuid']);
    const [column, value] = 'organisationId' in where ? ['organisation_id', where.organisationId] : ['delegate_account_id', where.delegateAccountId];
    if (!isUuid(value)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(Delegation).createQueryBuilder('d')
      .where(`d.${column} = :value`, { value })
      .orderBy('d.granted_at', 'DESC').addOrderBy('d.id', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('(d.granted_at, d.id) < (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    const now = this.now();
    const rows = (await query.getMany()).map((d) => this.withStatus(d, now));
    return toConnection(rows, size, (d) => [d.grantedAt.toISOString(), d.id], !!cursor);
  }
}
