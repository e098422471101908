import { requirePrincipal } from '../../../shared/src';
import type { PaymentsContext } from '../context';
import { canRead } from './collection.service';
import type { Payment } from './payment.entity';

/** Federation: a movement by id, as `payment(id)` shows it ('payment.read'); null otherwise. Batched per request. */
export async function resolvePaymentReference(reference: { id: string }, ctx: PaymentsContext): Promise<Payment | null> {
  const payment = await ctx.loaders.payments.load(String(reference.id));
  return payment && canRead(requirePrincipal(ctx), payment) ? payment : null;
}
