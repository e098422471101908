import { can, requirePrincipal } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import { DOCUMENT_TYPES, type IntegratedDocumentType } from './document-rules';
import type { DocumentsOfType } from './wallet.types';

/**
 * Federation: a holder's VALID documents of one type, as identity names them for a partner whose consent covers
 * that type (`{ holderAccountId type }`, from the gateway only). The same rule as a presented document
 * ('integratedDocument.readPresented'); a caller who may not see them gets an empty list. Batched per request.
 */
export async function resolveDocumentsOfTypeReference(reference: { holderAccountId: string; type: IntegratedDocumentType }, ctx: DocumentsContext): Promise<DocumentsOfType | null> {
  const principal = requirePrincipal(ctx);
  if (!DOCUMENT_TYPES.includes(reference.type)) return null;
  const holderAccountId = String(reference.holderAccountId);
  const allowed = can(principal, 'integratedDocument.readPresented', { holderAccountId, presentedHolderAccountId: holderAccountId });
  const documents = allowed ? await ctx.loaders.validDocumentsOfType.load({ holderAccountId, type: reference.type }) : [];
  return { holderAccountId, type: reference.type, documents };
}
