import type { OutboxEvent } from '../../../shared/src';

/**
 * `dossier.parties`: who a dossier involves — its applicant, the agency that handles its service, the postal
 * point that received it. Identity keeps these as relations: an official sees the applicants of their
 * agency's dossiers, a clerk those of the dossiers received at their point.
 */
export interface DossierParties {
  dossierId: string;
  applicantAccountId: string;
  agencyCode: string | null;
  receivedPostalPointCode: string | null;
}

export const DOSSIER_PARTIES = 'dossier.parties';

export function dossierParties(parties: DossierParties): OutboxEvent<DossierParties> {
  return { type: DOSSIER_PARTIES, payload: parties };
}

/**
 * `organisation.acted`: something was done for an organisation (a dossier submitted for it, say). Identity adds
 * it to the organisation's activity log, which its representative reads.
 */
export interface OrganisationActed {
  organisationId: string;
  actorAccountId: string;
  delegationId: string | null;
  operation: string;
  subjectId: string | null;
}

export const ORGANISATION_ACTED = 'organisation.acted';

export function organisationActed(act: OrganisationActed): OutboxEvent<OrganisationActed> {
  return { type: ORGANISATION_ACTED, payload: act };
}

/**
 * `dossier.statusChanged`: a dossier was created or took a step of its life cycle (fromStatus null: created).
 * Payments keeps what it needs of dossiers from it: what a dossier owes and who pays, and the cash on delivery a
 * postal point hands to its postmen with a result. Nothing personal is in it but account ids.
 */
export interface DossierStatusChanged {
  dossierId: string;
  serviceCode: string;
  agencyCode: string;
  applicantAccountId: string | null;
  organisationId: string | null;
  deliveryMethod: string;
  receivedPostalPointCode: string | null;
  /** Whole đồng, as a string (JSON has no 64-bit integers); null when none is to be collected. */
  cashOnDelivery: string | null;
  fromStatus: string | null;
  toStatus: string;
  /** The postal point of the clerk who took the step, when a clerk did. */
  actorPostalPointCode: string | null;
  submittedAt: string;
  occurredAt: string;
}

export const DOSSIER_STATUS_CHANGED = 'dossier.statusChanged';

export function dossierStatusChanged(change: DossierStatusChanged): OutboxEvent<DossierStatusChanged> {
  return { type: DOSSIER_STATUS_CHANGED, payload: change };
}
