import { grantStatus } from '../grants/grant-status';
import type { DelegationScope, FieldProblem } from '../../../shared/src';
import { tidyText } from '../partners/partner-rules';
import { DelegationStatus } from './delegation.entity';

/**
 * Tax code (mã số thuế, which is also the enterprise code, mã số doanh nghiệp): 10 digits for the organisation,
 * 10 + "-" + 3 for a dependent unit such as a branch (Circular 105/2020/TT-BTC). Only the format is checked here;
 * whether the code was issued is for the tax authority's register to say. ASCII digits only.
 */
const TAX_CODE = /^([0-9]{10})(?:-?([0-9]{3}))?$/;

/**
 * The one form a tax code is stored and compared in: "0101234567" or "0101234567-001". Spaces are dropped and a
 * branch may be written with or without its hyphen ("0101234567001"); null when it is not a tax code at all.
 */
export function normaliseTaxCode(raw: string): string | null {
  const match = TAX_CODE.exec(raw.replace(/\s+/g, ''));
  if (!match) return null;
  const [, organisation, unit] = match;
  if (unit === '000') return null;
  return unit ? `${organisation}-${unit}` : organisation;
}

export interface OrganisationRegistration { taxCode: string; name: string }

/** The registration as it will be stored, and every problem with it at once. */
export function checkOrganisationRegistration(input: OrganisationRegistration): { value: OrganisationRegistration; problems: FieldProblem[] } {
  const taxCode = normaliseTaxCode(input.taxCode);
  const value = { taxCode: taxCode ?? input.taxCode, name: tidyText(input.name) };
  const problems: FieldProblem[] = [];
  if (!taxCode) problems.push({ field: 'taxCode', message: 'A tax code is 10 digits, or 10 digits, "-" and 3 digits (001–999) for a branch, e.g. 0101234567 or 0101234567-001.' });
  if (value.name.length < 2 || value.name.length > 300) problems.push({ field: 'name', message: 'The name must be 2–300 characters.' });
  return { value, problems };
}

/** A delegation lasts at most a year; the representative grants a new one after that. */
export const MAX_DELEGATION_DAYS = 365;
/** An expiry closer than this is no delegation at all. */
export const MIN_DELEGATION_MINUTES = 5;

export interface DelegationGrant { organisationId: string; delegatePersonalIdNumber: string; scopes: DelegationScope[]; expiresAt: Date }

/** The grant as it will be stored, and every problem that needs no database to see, at once. */
export function checkDelegationGrant(input: DelegationGrant, now: Date): { value: DelegationGrant; problems: FieldProblem[] } {
  const value = { ...input, delegatePersonalIdNumber: input.delegatePersonalIdNumber.trim(), scopes: [...new Set(input.scopes)] };
  const problems: FieldProblem[] = [];
  if (!/^[0-9]{12}$/.test(value.delegatePersonalIdNumber)) {
    problems.push({ field: 'delegatePersonalIdNumber', message: 'A personal identification number is 12 digits.' });
  }
  if (!value.scopes.length) problems.push({ field: 'scopes', message: 'Name at least one scope the delegate may act in.' });
  const expires = value.expiresAt instanceof Date ? value.expiresAt.getTime() : Number.NaN;
  if (Number.isNaN(expires) || expires < now.getTime() + MIN_DELEGATION_MINUTES * 60_000) {
    problems.push({ field: 'expiresAt', message: `The delegation must last at least ${MIN_DELEGATION_MINUTES} minutes from now.` });
  } else if (expires > now.getTime() + MAX_DELEGATION_DAYS * 86_400_000) {
    problems.push({ field: 'expiresAt', message: `A delegation lasts at most ${MAX_DELEGATION_DAYS} days.` });
  }
  return { value, problems };
}

export function delegationStatus(delegation: { revokedAt: Date | null; replacedAt: Date | null; expiresAt: Date }, now: Date): DelegationStatus {
  return DelegationStatus[grantStatus(delegation, now)];
}
