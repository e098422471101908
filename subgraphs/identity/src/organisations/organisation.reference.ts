import { requirePrincipal } from '../../../shared/src';
import type { Organisation } from './organisation.entity';
import type { OrganisationContext } from './organisation.loader';
import { seeOrganisation, visibleTo } from './organisation.service';

/**
 * Federation: other subgraphs refer to organisations by id (a dossier submitted for one, later); batched per
 * request, and seen only by whom `organisation(id)` would show it to.
 */
export async function resolveOrganisationReference(reference: { id: string }, ctx: OrganisationContext): Promise<Organisation | null> {
  const principal = requirePrincipal(ctx);
  return visibleTo(principal, await seeOrganisation(principal, ctx.loaders.organisations, reference.id));
}
