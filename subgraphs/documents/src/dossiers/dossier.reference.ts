import { requirePrincipal } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import type { Dossier } from './dossier.entity';
import { visibleTo } from './dossier.policy';

/** Federation: a dossier by id, batched per request, seen only by whom `dossier(id)` would show it to. */
export async function resolveDossierReference(reference: { id: string }, ctx: DocumentsContext): Promise<Dossier | null> {
  return visibleTo(requirePrincipal(ctx), await ctx.loaders.dossiers.load(reference.id));
}
