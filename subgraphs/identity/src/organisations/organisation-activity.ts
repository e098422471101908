import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { DataSource, EntityManager } from 'typeorm';
import { assertCan, decodeCursor, pageSize, toConnection, UnauthenticatedError, type Connection, type Principal } from '../../../shared/src';
import { OrganisationActivityEntry } from './organisation-activity.entity';
import type { Organisation } from './organisation.entity';

export interface OrganisationAct {
  organisationId: string;
  actorAccountId: string;
  /** The delegation the actor acted under; null when they acted as the legal representative. */
  delegationId: string | null;
  /** The GraphQL mutation. */
  operation: string;
  subjectId?: string | null;
}

/** The organisation mutations, which record themselves in the transaction of their change. */
export const SELF_RECORDING_OPERATIONS: ReadonlySet<string> = new Set(['registerOrganisation', 'grantDelegation', 'revokeDelegation', 'actForOrganisation']);

/**
 * The organisation activity log: written inside the caller's transaction, so an act and its record commit or fail
 * together; read, newest first, by the organisation's representative (and administrators).
 */
export class OrganisationActivityLog {
  constructor(private readonly db: DataSource, private readonly now: () => Date = () => new Date()) {}

  async record(manager: EntityManager, act: OrganisationAct): Promise<void> {
    await manager.getRepository(OrganisationActivityEntry).insert({
      organisationId: act.organisationId, actorAccountId: act.actorAccountId, delegationId: act.delegationId,
      operation: act.operation, subjectId: act.subjectId ?? null,
    });
  }

  async list(principal: Principal | null, organisation: Organisation, first?: number | null, after?: string | null): Promise<Connection<OrganisationActivityEntry>> {
    assertCan(principal, 'organisation.readDelegations', { representativeAccountId: organisation.representativeAccountId }, 'Only the organisation\'s legal representative reads its activity.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['bigint']);
    const query = this.db.getRepository(OrganisationActivityEntry).createQueryBuilder('e')
      .where('e.organisation_id = :id', { id: organisation.id })
      .orderBy('e.seq', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('e.seq < :seq::bigint', { seq: cursor[0] });
    return toConnection(await query.getMany(), size, (e) => [e.seq], !!cursor);
  }

  /**
   * Before an identity mutation runs with a token that acts for an organisation: the act must still stand (the
   * delegation live, or the person still its representative), else the token no longer works here (UNAUTHENTICATED,
   * reason ACT_ENDED). Unless the mutation records itself, the attempt is then written to the organisation's log,
   * before the mutation runs: nothing is done for an organisation unrecorded (a mutation that then fails still shows).
   */
  async beforeMutation(principal: Principal, operation: string): Promise<void> {
    const acting = principal.actingFor;
    if (!acting) return;
    await this.db.transaction(async (manager) => {
      const [live] = acting.delegationId
        ? await manager.query(`
            SELECT 1 FROM identity.delegations
             WHERE id = $1 AND organisation_id = $2 AND delegate_account_id = $3
               AND revoked_at IS NULL AND replaced_at IS NULL AND expires_at > $4
             FOR SHARE`, [acting.delegationId, acting.organisationId, principal.accountId, this.now()])
        : await manager.query(`SELECT 1 FROM identity.organisations WHERE id = $1 AND representative_account_id = $2`, [acting.organisationId, principal.accountId]);
      if (!live) {
        const error = new UnauthenticatedError('This token acts under a delegation that has been revoked or has expired; use your own token, or act for the organisation again.');
        Object.assign(error.extensions, { reason: 'ACT_ENDED' });
        throw error;
      }
      if (!SELF_RECORDING_OPERATIONS.has(operation)) {
        await this.record(manager, { organisationId: acting.organisationId, actorAccountId: principal.accountId, delegationId: acting.delegationId, operation });
      }
    });
  }
}

/**
 * Every identity mutation sent with a token that acts for an organisation passes `beforeMutation` first (see
 * above), whichever folder it lives in. Wrapping the built schema's Mutation fields keeps this in one place; the
 * SDL is unchanged. Requests without such a token go straight to the resolver.
 */
export function guardOrganisationActs(schema: GraphQLSchema, log: OrganisationActivityLog): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args, context: { principal?: Principal | null }, info) => {
      if (context.principal?.actingFor) await log.beforeMutation(context.principal, info.fieldName);
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
