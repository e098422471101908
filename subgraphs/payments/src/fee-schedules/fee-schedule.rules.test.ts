import { describe, expect, it } from 'vitest';
import { feeTotal, toFeeSchedule } from './fee-schedule.rules';

describe('fee totals', () => {
  it('is 0 for a free service', () => {
    expect(feeTotal([])).toBe(0n);
    expect(toFeeSchedule([])).toEqual({ items: [], total: 0n });
  });

  it('adds whole đồng exactly', () => {
    expect(feeTotal([135_000n])).toBe(135_000n);
    expect(toFeeSchedule([{ name: 'a', amount: 50_000n }, { name: 'b', amount: 20_000n }]).total).toBe(70_000n);
  });

  it('stays exact beyond 32 bits and beyond floating point', () => {
    expect(feeTotal([2_147_483_647n, 1n])).toBe(2_147_483_648n);
    // 2^53 + 1 is where a JavaScript number starts losing đồng.
    expect(feeTotal([9_007_199_254_740_992n, 1n])).toBe(9_007_199_254_740_993n);
  });

  it('refuses a negative fee', () => {
    expect(() => feeTotal([10n, -1n])).toThrow(RangeError);
  });
});
