import type { Account } from './account.stub';

/**
 * Federation: documents holds nothing of an account but its id, to hang `dossiers` on; that field asserts
 * 'dossier.listForAccount' itself, so the reference needs no lookup and grants nothing.
 */
export function resolveAccountReference(reference: { id: string }): Account {
  return { id: reference.id };
}
