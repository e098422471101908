import type { DataSource } from 'typeorm';
import { backgroundQuery, isUuid, type EventHandler, type Logger } from '../../../shared/src';

/** The documents subgraph's `dossier.parties` event (see documents/src/dossiers/dossier.events.ts). */
interface DossierParties { dossierId: string; applicantAccountId: string; agencyCode: string | null; receivedPostalPointCode: string | null }

const CODE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Keeps identity's copy of who a dossier involves. Idempotent (delivery is at least once) and monotonic: a
 * later event can add the receiving point, never take a relation away. A malformed event is logged and
 * dropped rather than retried for ever.
 */
export function dossierPartiesHandler(db: DataSource, log: Logger): EventHandler {
  return async (event) => {
    if (event.type !== 'dossier.parties') return;
    const parties = event.payload as Partial<DossierParties>;
    const valid = typeof parties.dossierId === 'string' && isUuid(parties.dossierId) && typeof parties.applicantAccountId === 'string' && isUuid(parties.applicantAccountId)
      && (parties.agencyCode == null || CODE.test(parties.agencyCode)) && (parties.receivedPostalPointCode == null || CODE.test(parties.receivedPostalPointCode));
    if (!valid) { log.warn('malformed dossier.parties event dropped', { eventId: event.id }); return; }
    await backgroundQuery(db,
      `INSERT INTO identity.account_relations (source, source_id, account_id, postal_point_code, agency_code)
       VALUES ('dossier', $1, $2, $3, $4)
       ON CONFLICT (source, source_id) DO UPDATE SET
         postal_point_code = coalesce(EXCLUDED.postal_point_code, account_relations.postal_point_code),
         agency_code = coalesce(EXCLUDED.agency_code, account_relations.agency_code),
         updated_at = now()`,
      [parties.dossierId, parties.applicantAccountId, parties.receivedPostalPointCode ?? null, parties.agencyCode ?? null],
    );
  };
}
