import { requirePrincipal } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import type { IntegratedDocument } from './integrated-document.entity';
import { presentedTo, visibleTo } from './integrated-document.policy';

/**
 * Federation, under either key, batched per request:
 * - `{ id }`: as `integratedDocument(id)` shows it (the holder, a level-2 administrator, a level-2 official of
 *   the issuer);
 * - `{ id holderAccountId }`: a document its holder presented, as identity hands it over (a scanned QR code, a
 *   partner's eKYC check). Representations reach a subgraph only from the gateway (gateway proof), which took
 *   this one from identity's answer; the document is returned only if `holderAccountId` is its real holder,
 *   to the holder, a level-2 administrator, level-2 staff (clerk, official) or a partner bank.
 * Anything else is null, never a hint that the document exists.
 */
export async function resolveIntegratedDocumentReference(reference: { id: string; holderAccountId?: string | null }, ctx: DocumentsContext): Promise<IntegratedDocument | null> {
  const principal = requirePrincipal(ctx);
  const document = await ctx.loaders.integratedDocuments.load(String(reference.id));
  if (reference.holderAccountId !== undefined) return presentedTo(principal, document, String(reference.holderAccountId ?? ''));
  return visibleTo(principal, document);
}
