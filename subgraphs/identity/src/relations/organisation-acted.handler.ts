import type { DataSource } from 'typeorm';
import { backgroundQuery, isUuid, type EventHandler, type Logger } from '../../../shared/src';

/** The documents subgraph's `organisation.acted` event (see documents/src/dossiers/dossier.events.ts). */
interface OrganisationActed { organisationId: string; actorAccountId: string; delegationId: string | null; operation: string; subjectId: string | null }

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Appends what another subgraph did for an organisation to its activity log. Idempotent by the event id (a
 * redelivered event finds its row); an event naming no organisation, actor or delegation identity knows is logged
 * and dropped rather than retried for ever.
 */
export function organisationActedHandler(db: DataSource, log: Logger): EventHandler {
  return async (event) => {
    if (event.type !== 'organisation.acted') return;
    const act = event.payload as Partial<OrganisationActed>;
    const valid = isUuid(String(act.organisationId)) && isUuid(String(act.actorAccountId)) && (act.delegationId == null || isUuid(String(act.delegationId)))
      && (act.subjectId == null || isUuid(String(act.subjectId))) && typeof act.operation === 'string' && /^[A-Za-z]{1,100}$/.test(act.operation);
    if (!valid) { log.warn('malformed organisation.acted event dropped', { eventId: event.id }); return; }
    try {
      await backgroundQuery(db,
        `INSERT INTO identity.organisation_activity (organisation_id, actor_account_id, delegation_id, operation, subject_id)
         SELECT $1, $2, $3, $4, $5
         WHERE NOT EXISTS (SELECT 1 FROM identity.organisation_activity WHERE organisation_id = $1 AND operation = $4 AND subject_id IS NOT DISTINCT FROM $5::uuid)`,
        [act.organisationId, act.actorAccountId, act.delegationId ?? null, act.operation, act.subjectId ?? null]);
    } catch (error) {
      if ((error as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw error;
      log.warn('organisation.acted names what identity does not know; dropped', { eventId: event.id });
    }
  };
}
