import type { DataSource } from 'typeorm';
import { backgroundQuery, isUuid, todayInVietnam, type EventHandler, type Logger } from '../../../shared/src';

/** The documents subgraph's `dossier.statusChanged` event (see documents/src/dossiers/dossier.events.ts). */
interface DossierStatusChanged {
  dossierId: string; serviceCode: string; agencyCode: string; applicantAccountId: string | null; organisationId: string | null;
  deliveryMethod: string; receivedPostalPointCode: string | null; cashOnDelivery: string | null;
  fromStatus: string | null; toStatus: string; actorPostalPointCode: string | null; submittedAt: string; occurredAt: string;
}

const CODE = /^[A-Za-z0-9_-]{1,40}$/;
const uuidOrNull = (v: unknown) => v === null || (typeof v === 'string' && isUuid(v));
const codeOrNull = (v: unknown) => v === null || (typeof v === 'string' && CODE.test(v));
const instant = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

function isValid(e: Partial<DossierStatusChanged>): e is DossierStatusChanged {
  return typeof e.dossierId === 'string' && isUuid(e.dossierId) && typeof e.serviceCode === 'string' && CODE.test(e.serviceCode)
    && typeof e.agencyCode === 'string' && CODE.test(e.agencyCode) && uuidOrNull(e.applicantAccountId) && uuidOrNull(e.organisationId)
    && typeof e.deliveryMethod === 'string' && codeOrNull(e.receivedPostalPointCode) && codeOrNull(e.actorPostalPointCode)
    && (e.cashOnDelivery === null || (typeof e.cashOnDelivery === 'string' && /^[1-9][0-9]{0,11}$/.test(e.cashOnDelivery)))
    && typeof e.toStatus === 'string' && instant(e.submittedAt) && instant(e.occurredAt);
}

/**
 * Keeps payments' copy of each dossier (what it owes, who pays, its status and cash on delivery), newest event
 * wins (a redelivered older event changes nothing), and records the cash on delivery a postal point hands to its
 * postmen when one of its clerks returns a result sent by post. Idempotent; a malformed event is logged and dropped.
 */
export function dossierFactsHandler(db: DataSource, log: Logger): EventHandler {
  return async (event) => {
    if (event.type !== 'dossier.statusChanged') return;
    const e = event.payload as Partial<DossierStatusChanged>;
    if (!isValid(e)) { log.warn('malformed dossier.statusChanged event dropped', { eventId: event.id }); return; }
    await backgroundQuery(db,
      `INSERT INTO payments.dossiers (id, service_code, agency_code, applicant_account_id, organisation_id, status, delivery_method,
         received_postal_point_code, cash_on_delivery, submitted_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET
         status = EXCLUDED.status, delivery_method = EXCLUDED.delivery_method, received_postal_point_code = EXCLUDED.received_postal_point_code,
         cash_on_delivery = EXCLUDED.cash_on_delivery, updated_at = EXCLUDED.updated_at
       WHERE dossiers.updated_at <= EXCLUDED.updated_at`,
      [e.dossierId, e.serviceCode, e.agencyCode, e.applicantAccountId, e.organisationId, e.toStatus, e.deliveryMethod,
        e.receivedPostalPointCode, e.cashOnDelivery, e.submittedAt, e.occurredAt],
    );
    if (e.toStatus === 'RESULT_RETURNED' && e.deliveryMethod === 'POSTAL_DELIVERY' && e.cashOnDelivery && e.actorPostalPointCode) {
      const occurred = new Date(e.occurredAt);
      await backgroundQuery(db,
        `INSERT INTO payments.cod_dispatches (dossier_id, postal_point_code, business_date, agency_code, amount, dispatched_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dossier_id) DO NOTHING`,
        [e.dossierId, e.actorPostalPointCode, todayInVietnam(occurred), e.agencyCode, e.cashOnDelivery, occurred],
      );
    }
  };
}
