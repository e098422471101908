import type { DocumentsContext } from '../context';
import type { PublicService } from './public-service.entity';

/** Federation: the catalogue is public, as `publicService(code)` is; batched per request. */
export function resolvePublicServiceReference(reference: { code: string }, ctx: DocumentsContext): Promise<PublicService | null> {
  return ctx.loaders.services.load(reference.code);
}
