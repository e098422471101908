import { registerEnumType } from 'type-graphql';
import { foldForSearch } from '../../../shared/src';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { normaliseMobile } from '../accounts/registration-rules';

export enum MatchResult {
  /** The claim is the registry's value as it is written (Unicode-equivalent text counts as the same). */
  EXACT = 'EXACT',
  /** Equal only after normalising: case, spacing and Vietnamese diacritics (Đ/đ too) for names, the format of a phone number, the case of an e-mail. */
  NORMALISED = 'NORMALISED',
  NO_MATCH = 'NO_MATCH',
  /** Claimed, but the holder's consent does not name this attribute: not compared, nothing said about it. */
  NOT_CHECKED = 'NOT_CHECKED',
}
registerEnumType(MatchResult, { name: 'MatchResult', description: 'How a claimed attribute compares with the registry.' });

/** What a partner may claim about a person, besides the number that identifies them. */
export interface Claims {
  fullName?: string | null;
  dateOfBirth?: string | null;
  gender?: string | null;
  phone?: string | null;
  email?: string | null;
}

/** The registry's values for the same attributes (e-mail and the rest may be missing). */
export interface RecordedAttributes {
  fullName: string | null;
  dateOfBirth: string | null;
  gender: string | null;
  phone: string | null;
  email: string | null;
}

export interface AttributeCheckResult { attribute: IdentityAttribute; result: MatchResult }

type Matcher = (claimed: string, recorded: string) => MatchResult;

/** Names: exact as written, else after folding case, spacing and diacritics ("NGUYỄN VĂN ĐẠT" ~ "Nguyen  Van Dat"). */
export const matchName: Matcher = (claimed, recorded) => {
  if (claimed.normalize('NFC') === recorded.normalize('NFC')) return MatchResult.EXACT;
  const folded = foldForSearch(claimed);
  return folded && folded === foldForSearch(recorded) ? MatchResult.NORMALISED : MatchResult.NO_MATCH;
};

/** Dates of birth and genders are exact or nothing: there is no "nearly the same day". */
export const matchExactly: Matcher = (claimed, recorded) => (claimed === recorded ? MatchResult.EXACT : MatchResult.NO_MATCH);

/** Phones: as stored (E.164), else the same number written another way (0912 345 678). */
export const matchPhone: Matcher = (claimed, recorded) => {
  if (claimed === recorded) return MatchResult.EXACT;
  return normaliseMobile(claimed) === recorded ? MatchResult.NORMALISED : MatchResult.NO_MATCH;
};

/** E-mail: as stored, else ignoring case and surrounding spaces. */
export const matchEmail: Matcher = (claimed, recorded) => {
  if (claimed === recorded) return MatchResult.EXACT;
  return claimed.trim().toLowerCase() === recorded.trim().toLowerCase() ? MatchResult.NORMALISED : MatchResult.NO_MATCH;
};

/** The claimable attributes, in the order answers list them. */
const CLAIMABLE: readonly [IdentityAttribute, keyof Claims & keyof RecordedAttributes, Matcher][] = [
  [IdentityAttribute.FULL_NAME, 'fullName', matchName],
  [IdentityAttribute.DATE_OF_BIRTH, 'dateOfBirth', matchExactly],
  [IdentityAttribute.GENDER, 'gender', matchExactly],
  [IdentityAttribute.PHONE, 'phone', matchPhone],
  [IdentityAttribute.EMAIL, 'email', matchEmail],
];

/** The attributes a partner claimed (gave a value for), in answer order. */
export function claimedAttributes(claims: Claims): IdentityAttribute[] {
  return CLAIMABLE.filter(([, key]) => isClaimed(claims[key])).map(([attribute]) => attribute);
}

/**
 * Compares each claimed attribute that `scope` (the consent) names; a claimed attribute outside it is NOT_CHECKED
 * and its recorded value is never read. `checked` lists what was compared (what the access log records).
 */
export function compareClaims(claims: Claims, recorded: RecordedAttributes, scope: ReadonlySet<IdentityAttribute>): { checks: AttributeCheckResult[]; checked: IdentityAttribute[] } {
  const checks: AttributeCheckResult[] = [];
  for (const [attribute, key, match] of CLAIMABLE) {
    const claimed = claims[key];
    if (!isClaimed(claimed)) continue;
    if (!scope.has(attribute)) { checks.push({ attribute, result: MatchResult.NOT_CHECKED }); continue; }
    const value = recorded[key];
    checks.push({ attribute, result: value === null || value === undefined ? MatchResult.NO_MATCH : match(claimed, value) });
  }
  return { checks, checked: checks.filter((c) => c.result !== MatchResult.NOT_CHECKED).map((c) => c.attribute) };
}

function isClaimed(value: string | null | undefined): value is string {
  return typeof value === 'string';
}
