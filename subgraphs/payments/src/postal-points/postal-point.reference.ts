import type { PaymentsContext } from '../context';
import type { PostalPoint } from './postal-point.entity';

/** Federation: identity and documents refer to postal points by code; public like `postalPoint(code)`, batched per request. */
export function resolvePostalPointReference(reference: { code: string }, ctx: PaymentsContext): Promise<PostalPoint | null> {
  return ctx.loaders.postalPoints.load(reference.code);
}
