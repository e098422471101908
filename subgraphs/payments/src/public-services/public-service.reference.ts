import type { PublicService } from './public-service.stub';

/** Federation: the key is all payments needs (the schedule is loaded by code when asked for); fees are public. */
export function resolvePublicServiceReference(reference: { code: string }): PublicService {
  return { code: reference.code };
}
