import { isUuid, type FieldProblem } from '../../../shared/src';
import { DOCUMENT_TYPE_ORDER, type DocumentsOfType, type IntegratedDocument, type IntegratedDocumentType } from './integrated-document.stub';

/** How many of their documents a holder may present with one identity QR code. */
export const MAX_SHARED_DOCUMENTS = 5;

/**
 * The document ids a holder chose for an identity QR code, as stored (lower case, in the order given), and every
 * problem with them at once. Whose documents they are is the documents subgraph's to say, when the code is scanned.
 */
export function checkSharedDocumentIds(ids: readonly string[] | null | undefined, field = 'documentIds'): { value: string[]; problems: FieldProblem[] } {
  const value = (ids ?? []).map((id) => id.trim().toLowerCase());
  const problems: FieldProblem[] = [];
  const malformed = value.filter((id) => !isUuid(id));
  if (malformed.length) problems.push({ field, message: `A document id is a uuid, as the wallet shows it: ${malformed.length} of these are not.` });
  if (new Set(value).size !== value.length) problems.push({ field, message: 'Name each document once.' });
  if (value.length > MAX_SHARED_DOCUMENTS) problems.push({ field, message: `Share at most ${MAX_SHARED_DOCUMENTS} documents with one code.` });
  return { value, problems };
}

/**
 * Document types a consent names, in the catalogue's order, and every problem with them: each named once, and
 * each among those the partner may receive.
 */
export function checkDocumentTypes(
  types: readonly IntegratedDocumentType[] | null | undefined,
  allowed: readonly IntegratedDocumentType[] | null,
  field = 'documentTypes',
): { value: IntegratedDocumentType[]; problems: FieldProblem[] } {
  const chosen = types ?? [];
  const value = inCatalogueOrder(chosen);
  const problems: FieldProblem[] = [];
  if (value.length !== chosen.length) problems.push({ field, message: 'Name each document type once.' });
  if (allowed) {
    const outside = value.filter((type) => !allowed.includes(type));
    if (outside.length) {
      problems.push({ field, message: `This partner may not receive ${outside.join(', ')}; it may receive ${allowed.length ? allowed.join(', ') : 'no documents'}.` });
    }
  }
  return { value, problems };
}

/** Each type once, in the catalogue's order. */
export function inCatalogueOrder(types: readonly IntegratedDocumentType[] | null | undefined): IntegratedDocumentType[] {
  const set = new Set(types ?? []);
  return DOCUMENT_TYPE_ORDER.filter((type) => set.has(type));
}

/** The documents a scan presents: references the gateway resolves in the documents subgraph. */
export function sharedDocuments(holderAccountId: string, documentIds: readonly string[]): IntegratedDocument[] {
  return documentIds.map((id) => ({ id, holderAccountId }));
}

/** The holder's documents of each type a partner receives: references the gateway resolves in the documents subgraph. */
export function documentsOfTypes(holderAccountId: string, types: readonly IntegratedDocumentType[]): DocumentsOfType[] {
  return types.map((type) => ({ holderAccountId, type }));
}
