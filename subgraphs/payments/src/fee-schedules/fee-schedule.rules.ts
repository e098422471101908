import type { FeeItem, FeeSchedule } from './fee-schedule.types';

/** Sum of fee amounts in whole đồng. bigint, because day totals overflow 32 bits and floats lose đồng. */
export function feeTotal(amounts: readonly bigint[]): bigint {
  let total = 0n;
  for (const amount of amounts) {
    if (amount < 0n) throw new RangeError(`A fee cannot be negative, got ${amount}`);
    total += amount;
  }
  return total;
}

export function toFeeSchedule(items: FeeItem[]): FeeSchedule {
  return { items, total: feeTotal(items.map((item) => item.amount)) };
}
