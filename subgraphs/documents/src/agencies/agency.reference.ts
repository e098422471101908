import type { DocumentsContext } from '../context';
import type { Agency } from './agency.entity';

/** Federation: agencies are public facts, as the catalogue is; batched per request. */
export function resolveAgencyReference(reference: { code: string }, ctx: DocumentsContext): Promise<Agency | null> {
  return ctx.loaders.agencies.load(reference.code);
}
