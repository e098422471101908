import type DataLoader from 'dataloader';
import { Role, type Principal } from '../../../shared/src';
import type { Dossier } from './dossier.entity';
import type { PublicService } from '../public-services/public-service.entity';

/**
 * Who may see a dossier: its applicant; an official of the agency that handles the service; a clerk of
 * the postal point that received it; an administrator. Everyone else is told it does not exist.
 */
export function canViewDossier(principal: Principal, dossier: Dossier, service: PublicService | null): boolean {
  switch (principal.role) {
    case Role.ADMINISTRATOR: return true;
    case Role.OFFICIAL: return !!service && principal.agencyCode === service.agencyCode;
    case Role.POSTAL_CLERK: return !!dossier.receivedPostalPointCode && principal.postalPointCode === dossier.receivedPostalPointCode;
    default: return dossier.applicantAccountId === principal.accountId;
  }
}

/** The dossier if the caller may see it, else null: no answer tells "not yours" from "no such dossier". */
export async function visibleTo(principal: Principal, dossier: Dossier | null, services: DataLoader<string, PublicService | null>): Promise<Dossier | null> {
  if (!dossier) return null;
  return canViewDossier(principal, dossier, await services.load(dossier.serviceCode)) ? dossier : null;
}
