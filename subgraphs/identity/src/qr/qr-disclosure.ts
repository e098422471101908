import type { Account } from '../accounts/account.entity';
import { AssuranceLevel } from '../accounts/account.entity';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { sharedDocuments } from '../documents/document-choice';
import type { IdentityQrVerification } from './identity-qr.types';

/** What every scan shows (with the level): "the holder's identity", in the words of the VNeID procedure. */
export const ALWAYS_SHOWN: readonly IdentityAttribute[] = [IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH];

const ORDER = Object.values(IdentityAttribute);

/** The attributes a code shows: the fixed ones plus the holder's choice, each once, in the catalogue's order. */
export function shownAttributes(chosen: readonly IdentityAttribute[] | null | undefined): IdentityAttribute[] {
  const shown = new Set<IdentityAttribute>([...ALWAYS_SHOWN, ...(chosen ?? [])]);
  return ORDER.filter((attribute) => shown.has(attribute));
}

/**
 * The holder as a scan shows them: each item not in `shown` is null, whatever the registry holds, and the documents
 * they chose, as references the documents subgraph answers only for their real holder.
 */
export function disclose(holder: Account, shown: readonly IdentityAttribute[], verifiedAt: Date, documentIds: readonly string[] = []): IdentityQrVerification {
  const has = (attribute: IdentityAttribute) => shown.includes(attribute);
  return {
    fullName: holder.fullName,
    dateOfBirth: holder.dateOfBirth,
    level: holder.level ?? AssuranceLevel.LEVEL_1,
    sharedAttributes: shownAttributes(shown),
    personalIdNumber: has(IdentityAttribute.PERSONAL_ID_NUMBER) ? holder.personalIdNumber : null,
    gender: has(IdentityAttribute.GENDER) ? holder.gender : null,
    phone: has(IdentityAttribute.PHONE) ? holder.phone : null,
    email: has(IdentityAttribute.EMAIL) ? holder.email : null,
    passportNumber: has(IdentityAttribute.PASSPORT) ? holder.passportNumber : null,
    nationality: has(IdentityAttribute.PASSPORT) ? holder.nationality : null,
    documents: sharedDocuments(holder.id, documentIds),
    verifiedAt,
  };
}
