import { can, type Principal } from '../../../shared/src';
import type { IntegratedDocument } from './integrated-document.entity';

/**
 * The document if the caller may see it by its id ('integratedDocument.read': its holder, a level-2
 * administrator, a level-2 official of its issuer), else null: no answer tells "not yours" from "no such document".
 */
export function visibleTo(principal: Principal | null, document: IntegratedDocument | null): IntegratedDocument | null {
  if (!document || !principal) return null;
  return can(principal, 'integratedDocument.read', { holderAccountId: document.holderAccountId, issuerAgencyCode: document.issuerAgencyCode }) ? document : null;
}

/**
 * The document if it belongs to `presentedHolderAccountId` and the caller may see what that holder presented
 * ('integratedDocument.readPresented'), else null.
 */
export function presentedTo(principal: Principal | null, document: IntegratedDocument | null, presentedHolderAccountId: string): IntegratedDocument | null {
  if (!document || !principal) return null;
  return can(principal, 'integratedDocument.readPresented', { holderAccountId: document.holderAccountId, presentedHolderAccountId }) ? document : null;
}
