import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { UseMiddleware, type ResolverData } from 'type-graphql';
import { assertCan, isUuid, UnauthenticatedError, type PersonalDataResource, type Principal } from '../../../shared/src';
import { AccessAction } from '../access-log/access-log.entity';
import { staffAccessor, type AccessLogRecorder } from '../access-log/access-log.recorder';
import type { IdentityContext } from '../context';
import type { Account } from './account.entity';
import type { IdentityAttribute } from './identity-attribute';

/** How long after verifying a person's identity QR code a staff member may read their personal data. */
export const QR_RELATION_MINUTES = 30;

export type Relations = Omit<PersonalDataResource, 'accountId'>;

/**
 * Per request, for every account whose personal data staff ask for: the postal points and agencies that
 * justify it, in one statement. A person is related to a postal point where they chose to be verified,
 * were activated, registered at the counter or checked in person with a document that matched (a failed
 * check relates no one: otherwise a bogus activation attempt would open anyone's data), and to the agency whose
 * official activated them; and, as the documents subgraph tells it (events), to the agency handling each
 * dossier they applied for and the postal point that received it. Staff who verified the person's identity
 * QR code in the last QR_RELATION_MINUTES may read their data too.
 */
export function createRelationsLoader(db: DataSource): DataLoader<string, Relations> {
  return new DataLoader(async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? ((await db.query(
      `SELECT a.id,
              array_remove(ARRAY[a.verification_postal_point_code, a.activated_postal_point_code], NULL)
                || coalesce((SELECT array_agg(DISTINCT v.postal_point_code) FROM identity.account_verifications v WHERE v.account_id = a.id AND v.matched AND v.postal_point_code IS NOT NULL), '{}')
                || coalesce((SELECT array_agg(DISTINCT r.postal_point_code) FROM identity.account_relations r WHERE r.account_id = a.id AND r.postal_point_code IS NOT NULL), '{}') AS points,
              array_remove(ARRAY[a.activated_agency_code], NULL)
                || coalesce((SELECT array_agg(DISTINCT v.agency_code) FROM identity.account_verifications v WHERE v.account_id = a.id AND v.matched AND v.agency_code IS NOT NULL), '{}')
                || coalesce((SELECT array_agg(DISTINCT r.agency_code) FROM identity.account_relations r WHERE r.account_id = a.id AND r.agency_code IS NOT NULL), '{}') AS agencies,
              coalesce((SELECT array_agg(DISTINCT q.verified_by_account_id::text) FROM identity.qr_codes q
                        WHERE q.account_id = a.id AND q.used_at >= now() - make_interval(mins => $2)), '{}') AS verifiers
       FROM identity.accounts a WHERE a.id = ANY($1::uuid[])`,
      [valid, QR_RELATION_MINUTES],
    )) as { id: string; points: string[]; agencies: string[]; verifiers: string[] }[]) : [];
    const byId = new Map(rows.map((r) => [r.id, { relatedPostalPointCodes: r.points, relatedAgencyCodes: r.agencies, recentlyVerifiedBy: r.verifiers }]));
    return ids.map((id) => byId.get(id) ?? { relatedPostalPointCodes: [], relatedAgencyCodes: [], recentlyVerifiedBy: [] });
  });
}

export interface StaffRead { principal: Principal; accountId: string; attribute: IdentityAttribute }

/**
 * Per request: every personal attribute staff read is written to the holder's access log before the value
 * is returned, one entry per person and request (the attributes read together), so nothing is shown that
 * is not on record.
 */
export function createStaffReadLog(db: DataSource, recorder: AccessLogRecorder): DataLoader<StaffRead, true, string> {
  return new DataLoader<StaffRead, true, string>(async (reads) => {
    const byAccount = new Map<string, { principal: Principal; attributes: Set<IdentityAttribute> }>();
    for (const read of reads) {
      const entry = byAccount.get(read.accountId) ?? { principal: read.principal, attributes: new Set<IdentityAttribute>() };
      entry.attributes.add(read.attribute);
      byAccount.set(read.accountId, entry);
    }
    await recorder.record(db.manager, [...byAccount].map(([accountId, { principal, attributes }]) => ({
      accountId, ...staffAccessor(principal), action: AccessAction.READ_PERSONAL_DATA, attributes: [...attributes].sort(),
    })));
    return reads.map(() => true as const);
  }, { cacheKeyFn: (read) => `${read.accountId}|${read.attribute}` });
}

/**
 * Guards a personal-data field of an account: the holder reads it freely; anyone else must be allowed
 * 'account.readPersonalData' for this person (an administrator, or staff with a relation to them), and the
 * read is logged in the holder's access log before the value leaves.
 */
export function PersonalData(attribute: IdentityAttribute | ((account: Account) => IdentityAttribute)) {
  return UseMiddleware(async ({ root, context }: ResolverData<IdentityContext>, next) => {
    const account = root as Account;
    const principal = context.principal;
    if (!principal) throw new UnauthenticatedError();
    if (principal.accountId === account.id) return next();
    const relations = await context.loaders.relations.load(account.id);
    assertCan(principal, 'account.readPersonalData', { accountId: account.id, ...relations });
    await context.loaders.staffReads.load({ principal, accountId: account.id, attribute: typeof attribute === 'function' ? attribute(account) : attribute });
    return next();
  });
}
