import type { Account } from './account.stub';

/**
 * Federation: payments holds nothing of an account but its id, to hang `payments` on; that field asserts
 * 'payment.listForAccount' itself, so the reference needs no lookup and grants nothing.
 */
export function resolveAccountReference(reference: { id: string }): Account {
  return { id: reference.id };
}
