import { describe, expect, it } from 'vitest';
import { AccountStatus, AssuranceLevel } from './account.entity';
import { AccountEvent, assertTransition, canLogIn, nextStatus } from './account-status';

const { PENDING_PHONE_VERIFICATION: PHONE, PENDING_IN_PERSON_VERIFICATION: IN_PERSON, ACTIVE, SUSPENDED, REVOKED } = AccountStatus;
const L1 = AssuranceLevel.LEVEL_1;
const L2 = AssuranceLevel.LEVEL_2;

describe('the account status machine', () => {
  // Every status × event: the only legal moves, and nothing else.
  it.each<[AccountStatus, AssuranceLevel | null, AccountEvent, AccountStatus | undefined]>([
    [IN_PERSON, L1, AccountEvent.ACTIVATE, ACTIVE],
    [ACTIVE, L2, AccountEvent.ACTIVATE, undefined],
    [SUSPENDED, L1, AccountEvent.ACTIVATE, undefined],
    [REVOKED, L1, AccountEvent.ACTIVATE, undefined],
    [PHONE, null, AccountEvent.ACTIVATE, undefined],
    [IN_PERSON, L1, AccountEvent.SUSPEND, SUSPENDED],
    [ACTIVE, L2, AccountEvent.SUSPEND, SUSPENDED],
    [SUSPENDED, L2, AccountEvent.SUSPEND, undefined],
    [REVOKED, L2, AccountEvent.SUSPEND, undefined],
    [SUSPENDED, L2, AccountEvent.REINSTATE, ACTIVE],
    [SUSPENDED, L1, AccountEvent.REINSTATE, IN_PERSON],
    [ACTIVE, L2, AccountEvent.REINSTATE, undefined],
    [REVOKED, L2, AccountEvent.REINSTATE, undefined],
    [IN_PERSON, L1, AccountEvent.REVOKE, REVOKED],
    [ACTIVE, L2, AccountEvent.REVOKE, REVOKED],
    [SUSPENDED, L2, AccountEvent.REVOKE, REVOKED],
    [REVOKED, L2, AccountEvent.REVOKE, undefined],
  ])('%s (%s) --%s--> %s', (status, level, event, expected) => {
    expect(nextStatus({ status, level }, event)).toBe(expected);
  });

  it('refuses an illegal move with CONFLICT naming the status and the event', () => {
    expect(() => assertTransition({ status: REVOKED, level: L2 }, AccountEvent.ACTIVATE)).toThrow(expect.objectContaining({
      extensions: expect.objectContaining({ code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION', status: REVOKED, event: AccountEvent.ACTIVATE }),
    }));
  });

  it('lets only pending and active accounts log in', () => {
    expect([PHONE, IN_PERSON, ACTIVE, SUSPENDED, REVOKED].filter(canLogIn)).toEqual([IN_PERSON, ACTIVE]);
  });
});
