import { describe, expect, it } from 'vitest';
import { canTransition, DossierStatus as S, isFinal } from './dossier-lifecycle';

describe('dossier life cycle', () => {
  const allowed: [S, S][] = [
    [S.SUBMITTED, S.RECEIVED], [S.RECEIVED, S.IN_PROCESSING], [S.IN_PROCESSING, S.NEEDS_SUPPLEMENT],
    [S.NEEDS_SUPPLEMENT, S.IN_PROCESSING], [S.IN_PROCESSING, S.RESULT_READY], [S.RESULT_READY, S.RESULT_RETURNED],
    [S.SUBMITTED, S.CANCELLED], [S.RECEIVED, S.REJECTED], [S.IN_PROCESSING, S.REJECTED],
  ];
  it.each(allowed)('%s → %s is allowed', (from, to) => expect(canTransition(from, to)).toBe(true));

  const refused: [S, S][] = [
    [S.SUBMITTED, S.RESULT_READY], [S.SUBMITTED, S.IN_PROCESSING], [S.RESULT_READY, S.IN_PROCESSING],
    [S.RESULT_RETURNED, S.SUBMITTED], [S.REJECTED, S.RECEIVED], [S.CANCELLED, S.SUBMITTED], [S.NEEDS_SUPPLEMENT, S.RESULT_READY],
    // The applicant cancels only before processing starts.
    [S.IN_PROCESSING, S.CANCELLED], [S.NEEDS_SUPPLEMENT, S.CANCELLED], [S.RESULT_READY, S.CANCELLED],
  ];
  it.each(refused)('%s → %s is refused', (from, to) => expect(canTransition(from, to)).toBe(false));

  it('ends only in returned, rejected or cancelled', () => {
    expect(Object.values(S).filter(isFinal).sort()).toEqual([S.CANCELLED, S.REJECTED, S.RESULT_RETURNED]);
  });
});
