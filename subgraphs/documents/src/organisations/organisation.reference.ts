import type { Organisation } from './organisation.stub';

/**
 * Federation: documents holds nothing of an organisation but its id, to hang `dossiers` on; that field asserts
 * 'organisation.act' with VIEW_DOSSIERS itself, so the reference needs no lookup and grants nothing.
 */
export function resolveOrganisationReference(reference: { id: string }): Organisation {
  return { id: reference.id };
}
