import type { EntityManager } from 'typeorm';
import { Role, type Principal } from '../../../shared/src';
import { AccessLogEntry, AccessOutcome, AccessorKind, type AccessAction } from './access-log.entity';
import type { IdentityAttribute } from '../accounts/identity-attribute';
import type { IntegratedDocumentType } from '../documents/integrated-document.stub';

export interface AccessRecord {
  accountId: string;
  accessorKind: AccessorKind;
  accessorId: string;
  accessorName: string;
  postalPointCode?: string | null;
  agencyCode?: string | null;
  action: AccessAction;
  attributes?: IdentityAttribute[];
  /** Integrated documents presented, by id (an identity QR scan). */
  documentIds?: string[];
  /** Kinds of integrated documents given (an identity check). */
  documentTypes?: IntegratedDocumentType[];
  purpose?: string | null;
  /** The scopes a connected system was granted (a sign-in). */
  scopes?: string[];
  outcome?: AccessOutcome;
  reason?: string | null;
}

/**
 * Writes access-log entries inside the caller's transaction, so an access and its record commit or fail
 * together: nothing is read, checked or changed without its entry.
 */
export class AccessLogRecorder {
  async record(manager: EntityManager, entries: AccessRecord | AccessRecord[]): Promise<void> {
    const rows = (Array.isArray(entries) ? entries : [entries]).map((e) => ({
      accountId: e.accountId, accessorKind: e.accessorKind, accessorId: e.accessorId, accessorName: e.accessorName,
      postalPointCode: e.postalPointCode ?? null, agencyCode: e.agencyCode ?? null, action: e.action,
      attributes: e.attributes ?? [], documentIds: e.documentIds ?? [], documentTypes: e.documentTypes ?? [], purpose: e.purpose ?? null, scopes: e.scopes ?? [], outcome: e.outcome ?? AccessOutcome.ALLOWED, reason: e.reason ?? null,
    }));
    if (rows.length) await manager.getRepository(AccessLogEntry).insert(rows);
  }
}

/** How staff appear in a holder's log: by where they act, not by their name. */
export function staffAccessor(principal: Principal): Pick<AccessRecord, 'accessorKind' | 'accessorId' | 'accessorName' | 'postalPointCode' | 'agencyCode'> {
  switch (principal.role) {
    case Role.POSTAL_CLERK:
      return { accessorKind: AccessorKind.POSTAL_CLERK, accessorId: principal.accountId, accessorName: `Postal clerk at ${principal.postalPointCode}`, postalPointCode: principal.postalPointCode ?? null };
    case Role.OFFICIAL:
      return { accessorKind: AccessorKind.OFFICIAL, accessorId: principal.accountId, accessorName: `Official of ${principal.agencyCode}`, agencyCode: principal.agencyCode ?? null };
    default:
      return { accessorKind: AccessorKind.ADMINISTRATOR, accessorId: principal.accountId, accessorName: 'System administrator' };
  }
}
