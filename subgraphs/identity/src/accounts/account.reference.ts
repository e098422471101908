import { assertCan } from '../../../shared/src';
import type { IdentityContext } from '../context';
import type { Account } from './account.entity';

/**
 * Federation: other subgraphs refer to accounts by id (a dossier's applicant); batched per request. Reaching
 * an account is 'account.read' (its kind, level and status); each personal-data field asserts
 * 'account.readPersonalData' on top, as it does under `me`.
 */
export function resolveAccountReference(reference: { id: string }, ctx: IdentityContext): Promise<Account | null> {
  assertCan(ctx.principal, 'account.read', { accountId: reference.id });
  return ctx.loaders.accounts.load(reference.id);
}
