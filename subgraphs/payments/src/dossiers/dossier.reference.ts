import { assertCan } from '../../../shared/src';
import type { PaymentsContext } from '../context';
import type { Dossier } from './dossier.stub';

/**
 * Federation: the representation carries the key and the `@requires` field. It can be taken at its word
 * because `_entities` answers only requests signed by the gateway, which passes on dossiers that documents
 * has just shown this caller; the action still demands a logged-in caller, as every dossier query does.
 */
export function resolveDossierReference(reference: { id: string; serviceCode: string }, ctx: PaymentsContext): Dossier {
  assertCan(ctx.principal, 'dossier.readAmountDue', { dossierId: reference.id });
  return { id: reference.id, serviceCode: reference.serviceCode };
}
