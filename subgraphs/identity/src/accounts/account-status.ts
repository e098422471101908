import { ConflictError } from '../../../shared/src';
import { AccountStatus, AssuranceLevel } from './account.entity';

/**
 * The account life cycle, checked here and nowhere else:
 *
 *   (claim proves its phone) ─▶ PENDING_IN_PERSON_VERIFICATION ──ACTIVATE──▶ ACTIVE
 *   (registered at a counter) ─────────────────────────────────────────────▶ ACTIVE
 *   PENDING_IN_PERSON_VERIFICATION | ACTIVE ──SUSPEND──▶ SUSPENDED ──REINSTATE──▶ back (by level)
 *   any but REVOKED ──REVOKE──▶ REVOKED (final)
 *
 * LOCKED is not stored: it is what `status` reads while failed logins keep the username locked (see
 * account-status.resolver). PENDING_PHONE_VERIFICATION belongs to databases from before registration
 * claims; no transition leads to it.
 */
export enum AccountEvent {
  /** A clerk or a police official checked the person and their chip ID card or passport: level 2. */
  ACTIVATE = 'ACTIVATE',
  /** An administrator suspends the account (with a reason). */
  SUSPEND = 'SUSPEND',
  /** An administrator lifts a suspension (with a reason). */
  REINSTATE = 'REINSTATE',
  /** An administrator revokes the account for good (with a reason). */
  REVOKE = 'REVOKE',
}

export interface StatusHolder { status: AccountStatus; level: AssuranceLevel | null }

/** Where an account whose suspension is lifted goes back to: what its level says it had reached. */
function resumed(level: AssuranceLevel | null): AccountStatus {
  return level === AssuranceLevel.LEVEL_2 ? AccountStatus.ACTIVE : AccountStatus.PENDING_IN_PERSON_VERIFICATION;
}

const TRANSITIONS: Record<AccountEvent, (account: StatusHolder) => AccountStatus | undefined> = {
  [AccountEvent.ACTIVATE]: (a) => (a.status === AccountStatus.PENDING_IN_PERSON_VERIFICATION ? AccountStatus.ACTIVE : undefined),
  [AccountEvent.SUSPEND]: (a) => (a.status === AccountStatus.ACTIVE || a.status === AccountStatus.PENDING_IN_PERSON_VERIFICATION ? AccountStatus.SUSPENDED : undefined),
  [AccountEvent.REINSTATE]: (a) => (a.status === AccountStatus.SUSPENDED ? resumed(a.level) : undefined),
  [AccountEvent.REVOKE]: (a) => (a.status !== AccountStatus.REVOKED ? AccountStatus.REVOKED : undefined),
};

/** The status after `event`, or undefined when the event is not allowed from the account's status. */
export function nextStatus(account: StatusHolder, event: AccountEvent): AccountStatus | undefined {
  return TRANSITIONS[event](account);
}

/** Like `nextStatus`, but an illegal event is a CONFLICT that names the status and the event. */
export function assertTransition(account: StatusHolder, event: AccountEvent): AccountStatus {
  const next = nextStatus(account, event);
  if (!next) {
    const error = new ConflictError(`An account that is ${account.status} cannot be ${PAST[event]}.`);
    Object.assign(error.extensions, { reason: 'ILLEGAL_TRANSITION', status: account.status, event });
    throw error;
  }
  return next;
}

const PAST: Record<AccountEvent, string> = {
  [AccountEvent.ACTIVATE]: 'activated', [AccountEvent.SUSPEND]: 'suspended', [AccountEvent.REINSTATE]: 'reinstated', [AccountEvent.REVOKE]: 'revoked',
};

/** Only these may log in, refresh a session or be issued tokens; suspended and revoked accounts may not. */
export function canLogIn(status: AccountStatus): boolean {
  return status === AccountStatus.ACTIVE || status === AccountStatus.PENDING_IN_PERSON_VERIFICATION;
}
