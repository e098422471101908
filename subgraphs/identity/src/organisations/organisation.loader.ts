import DataLoader from 'dataloader';
import { In, IsNull, MoreThan, type DataSource } from 'typeorm';
import { isUuid } from '../../../shared/src';
import type { IdentityContext } from '../context';
import { Delegation } from './delegation.entity';
import { Organisation } from './organisation.entity';
import { delegationStatus } from './organisation-rules';

/** An organisation with what the caller holds of it: their live delegation, if any. */
export interface SeenOrganisation { organisation: Organisation; callerDelegation: Delegation | null }

export interface OrganisationKey { organisationId: string; callerAccountId: string | null }

export type OrganisationLoader = DataLoader<OrganisationKey, SeenOrganisation | null, string>;

/** Identity's context, with the loaders that index.ts adds for each request. */
export interface OrganisationContext extends IdentityContext {
  loaders: IdentityContext['loaders'] & { organisations: OrganisationLoader; delegations: DataLoader<string, Delegation | null> };
}

/** Per request: delegations by id (activity entries name theirs), one `WHERE id IN (…)` per batch; status as of `now`. */
export function createDelegationLoader(db: DataSource, now: () => Date = () => new Date()): DataLoader<string, Delegation | null> {
  return new DataLoader<string, Delegation | null>(async (ids) => {
    const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    const rows = wanted.length ? await db.getRepository(Delegation).find({ where: { id: In(wanted) } }) : [];
    const at = now();
    const byId = new Map(rows.map((d) => [d.id, Object.assign(d, { status: delegationStatus(d, at) })]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}

/**
 * Per request: every organisation lookup of one request (queries, fields, federation references) is one
 * `WHERE id IN (…)`, plus one for the caller's live delegations of those organisations.
 */
export function createOrganisationLoader(db: DataSource, now: () => Date = () => new Date()): OrganisationLoader {
  return new DataLoader<OrganisationKey, SeenOrganisation | null, string>(async (keys) => {
    const ids = [...new Set(keys.map((k) => k.organisationId.toLowerCase()).filter(isUuid))];
    const callers = [...new Set(keys.map((k) => k.callerAccountId).filter((c): c is string => !!c && isUuid(c)))];
    const organisations = ids.length ? await db.getRepository(Organisation).find({ where: { id: In(ids) } }) : [];
    const at = now();
    const delegations = organisations.length && callers.length
      ? await db.getRepository(Delegation).find({
        where: { organisationId: In(organisations.map((o) => o.id)), delegateAccountId: In(callers), revokedAt: IsNull(), replacedAt: IsNull(), expiresAt: MoreThan(at) },
      })
      : [];
    const byId = new Map(organisations.map((o) => [o.id, o]));
    return keys.map((key) => {
      const organisation = byId.get(key.organisationId.toLowerCase());
      if (!organisation) return null;
      const callerDelegation = delegations.find((d) => d.organisationId === organisation.id && d.delegateAccountId === key.callerAccountId) ?? null;
      if (callerDelegation) callerDelegation.status = delegationStatus(callerDelegation, at);
      return { organisation, callerDelegation };
    });
  }, { cacheKeyFn: (k) => `${k.organisationId.toLowerCase()}|${k.callerAccountId ?? ''}` });
}
