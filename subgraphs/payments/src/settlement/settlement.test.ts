import { describe, expect, it } from 'vitest';
import { addDays, checkBatchRequest, DAYS_UNTIL_FINAL, settledThrough, settlementFileName } from './settlement.rules';

describe('settlement rules', () => {
  it('moves dates across months and years', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it(`settles through the batch's day once it is ${DAYS_UNTIL_FINAL} days old, and no further than that before`, () => {
    expect(settledThrough('2026-11-10', '2026-11-25', null)).toBe('2026-11-10');
    expect(settledThrough('2026-11-23', '2026-11-25', null)).toBe('2026-11-23');
    expect(settledThrough('2026-11-24', '2026-11-25', null)).toBe('2026-11-23');
    expect(settledThrough('2026-11-25', '2026-11-25', null)).toBe('2026-11-23');
  });

  it('never goes back behind what the previous batch settled', () => {
    expect(settledThrough('2026-11-25', '2026-11-25', '2026-11-24')).toBe('2026-11-24');
  });

  it('closes for an agency code and a day that has begun in Vietnam', () => {
    const now = new Date('2026-11-24T17:30:00Z'); // 00:30 on 25 November in Vietnam
    expect(checkBatchRequest(' evn_hn ', '2026-11-25', now)).toBe('EVN_HN');
    expect(() => checkBatchRequest('EVN', '2026-11-26', now)).toThrow(/has problems/);
    expect(() => checkBatchRequest('É', '2026-11-20', now)).toThrow(/has problems/);
  });

  it('names the file in ASCII', () => {
    expect(settlementFileName({ agencyCode: 'EVN', businessDate: '2026-11-24' })).toBe('quyet-toan_EVN_2026-11-24.csv');
  });
});
