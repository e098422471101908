import { can, type DossierResource, type Principal } from '../../../shared/src';
import type { Dossier } from './dossier.entity';

/** What the authorisation catalogue decides dossier rules on. */
export function resourceOf(dossier: Dossier): DossierResource {
  return {
    applicantAccountId: dossier.applicantAccountId,
    agencyCode: dossier.agencyCode,
    receivedPostalPointCode: dossier.receivedPostalPointCode,
    organisationId: dossier.organisationId,
  };
}

/**
 * The dossier if the caller may see it ('dossier.read' of the action catalogue: its applicant, an official
 * of the agency handling it, a clerk of the receiving postal point, an administrator), else null:
 * no answer tells "not yours" from "no such dossier".
 */
export function visibleTo(principal: Principal | null, dossier: Dossier | null): Dossier | null {
  return dossier && principal && can(principal, 'dossier.read', resourceOf(dossier)) ? dossier : null;
}
