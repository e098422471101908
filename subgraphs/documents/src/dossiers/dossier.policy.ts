import type DataLoader from 'dataloader';
import { can, type Principal } from '../../../shared/src';
import type { Dossier } from './dossier.entity';
import type { PublicService } from '../public-services/public-service.entity';

/**
 * The dossier if the caller may see it ('dossier.read' of the action catalogue: its applicant, an official
 * of the agency handling the service, a clerk of the receiving postal point, an administrator), else null:
 * no answer tells "not yours" from "no such dossier".
 */
export async function visibleTo(principal: Principal | null, dossier: Dossier | null, services: DataLoader<string, PublicService | null>): Promise<Dossier | null> {
  if (!dossier || !principal) return null;
  const service = await services.load(dossier.serviceCode);
  return can(principal, 'dossier.read', {
    applicantAccountId: dossier.applicantAccountId,
    agencyCode: service?.agencyCode ?? null,
    receivedPostalPointCode: dossier.receivedPostalPointCode,
    organisationId: dossier.organisationId,
  }) ? dossier : null;
}
