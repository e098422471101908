import type { DataSource } from 'typeorm';
import {
  assertCan, BadInputError, can, ConflictError, decodeCursor, isUuid, pageSize, toConnection, UnauthenticatedError,
  type Connection, type Principal,
} from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import type { OrganisationActivityLog } from './organisation-activity';
import { Organisation } from './organisation.entity';
import type { OrganisationLoader, SeenOrganisation } from './organisation.loader';
import { checkOrganisationRegistration, type OrganisationRegistration } from './organisation-rules';
import { OrganisationRole } from './organisation.types';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** An account as the rules of the catalogue read it: active or not, and its level, as the registry says now. */
export function standingOf(account: Account | null): { active: boolean; level: 1 | 2 | null } {
  return {
    active: account?.status === AccountStatus.ACTIVE,
    level: account?.level === AssuranceLevel.LEVEL_2 ? 2 : account?.level === AssuranceLevel.LEVEL_1 ? 1 : null,
  };
}

/** The organisation, when the caller may see it ('organisation.read'); null otherwise, never a hint that it exists. */
export function visibleTo(principal: Principal | null, seen: SeenOrganisation | null): Organisation | null {
  if (!principal || !seen) return null;
  const { organisation, callerDelegation } = seen;
  return can(principal, 'organisation.read', {
    representativeAccountId: organisation.representativeAccountId,
    delegateAccountIds: callerDelegation ? [callerDelegation.delegateAccountId] : [],
  }) ? organisation : null;
}

export function seeOrganisation(principal: Principal | null, loader: OrganisationLoader, organisationId: string): Promise<SeenOrganisation | null> {
  if (!isUuid(organisationId)) return Promise.resolve(null);
  return loader.load({ organisationId, callerAccountId: principal?.accountId ?? null });
}

/** Organisations: registered by a level-2 citizen, who becomes their legal representative; seen by their people. */
export class OrganisationService {
  constructor(private readonly db: DataSource, private readonly activity: OrganisationActivityLog, private readonly now: () => Date = () => new Date()) {}

  async register(principal: Principal | null, input: OrganisationRegistration): Promise<Organisation> {
    if (!principal) throw new UnauthenticatedError();
    // The registry decides, not the token alone: the token may predate a suspension.
    const caller = isUuid(principal.accountId) ? await this.db.getRepository(Account).findOne({ where: { id: principal.accountId } }) : null;
    assertCan(principal, 'organisation.register', { accountId: caller?.id ?? '', isCitizen: caller?.kind === AccountKind.CITIZEN, ...standingOf(caller) },
      'Only a citizen whose account is active at level 2 registers an organisation, as its legal representative.');
    const { value, problems } = checkOrganisationRegistration(input);
    if (problems.length) throw new BadInputError('The organisation has problems; see extensions.problems.', problems);
    try {
      return await this.db.transaction(async (manager) => {
        const organisation = manager.getRepository(Organisation).create({ taxCode: value.taxCode, name: value.name, representativeAccountId: caller!.id, createdAt: this.now() });
        await manager.getRepository(Organisation).insert(organisation);
        await this.activity.record(manager, { organisationId: organisation.id, actorAccountId: caller!.id, delegationId: null, operation: 'registerOrganisation' });
        return organisation;
      });
    } catch (error) {
      const code = driverCode(error);
      if (code === UNIQUE_VIOLATION) {
        const conflict = new ConflictError(`An organisation with tax code ${value.taxCode} is already registered.`);
        Object.assign(conflict.extensions, { field: 'taxCode' });
        throw conflict;
      }
      if (code === FOREIGN_KEY_VIOLATION) throw new UnauthenticatedError('This access token names no account; log in again.');
      throw error;
    }
  }

  /** The organisations the caller represents or holds a live delegation of, newest first. */
  async listMine(principal: Principal | null, first?: number | null, after?: string | null): Promise<Connection<Organisation>> {
    const caller = assertCan(principal, 'organisation.listForAccount', { accountId: principal?.accountId ?? '' });
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['instant', 'uuid']);
    if (!isUuid(caller.accountId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(Organisation).createQueryBuilder('o')
      .where(`(o.representative_account_id = :me OR EXISTS (
        SELECT 1 FROM identity.delegations d WHERE d.organisation_id = o.id AND d.delegate_account_id = :me
          AND d.revoked_at IS NULL AND d.replaced_at IS NULL AND d.expires_at > :now))`, { me: caller.accountId, now: this.now() })
      .orderBy('o.created_at', 'DESC').addOrderBy('o.id', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('(o.created_at, o.id) < (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (o) => [o.createdAt.toISOString(), o.id], !!cursor);
  }

  /** How the caller stands to an organisation they see. */
  roleOf(principal: Principal | null, seen: SeenOrganisation | null): OrganisationRole | null {
    if (!principal || !seen) return null;
    if (seen.organisation.representativeAccountId === principal.accountId) return OrganisationRole.REPRESENTATIVE;
    return seen.callerDelegation ? OrganisationRole.DELEGATE : null;
  }
}

export function driverCode(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
}
