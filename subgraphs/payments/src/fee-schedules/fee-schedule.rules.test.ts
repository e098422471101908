import { describe, expect, it } from 'vitest';
import { isInForce, scheduleInForce } from './fee-schedule.rules';

const period = (effectiveFrom: string, effectiveTo: string | null = null) => ({ effectiveFrom, effectiveTo });

describe('the schedule in force on a day', () => {
  it('includes both its first and its last day', () => {
    const p = period('2025-01-01', '2025-12-31');
    expect(['2024-12-31', '2025-01-01', '2025-06-15', '2025-12-31', '2026-01-01'].map((day) => isInForce(p, day))).toEqual([false, true, true, true, false]);
  });

  it('has no end while effectiveTo is null', () => {
    expect(isInForce(period('2024-01-01'), '2999-12-31')).toBe(true);
    expect(isInForce(period('2024-01-01'), '2023-12-31')).toBe(false);
  });

  it('switches from one schedule to the next at midnight', () => {
    const old = period('2024-01-01', '2026-06-30');
    const next = period('2026-07-01');
    expect(scheduleInForce([old, next], '2026-06-30')).toBe(old);
    expect(scheduleInForce([next, old], '2026-07-01')).toBe(next);
  });

  it('finds none before the first, after the last has ended, or in a gap: the service is then not free but unpriced', () => {
    const schedules = [period('2025-01-01', '2025-03-31'), period('2025-05-01', '2025-12-31')];
    for (const day of ['2024-12-31', '2025-04-15', '2026-01-01']) expect(scheduleInForce(schedules, day), day).toBeUndefined();
    expect(scheduleInForce([], '2025-01-01')).toBeUndefined();
  });

  it('prefers the later start should two ever overlap (the database refuses that)', () => {
    const later = period('2025-06-01');
    expect(scheduleInForce([later, period('2025-01-01')], '2025-07-01')).toBe(later);
  });
});
