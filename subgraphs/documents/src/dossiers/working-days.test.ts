import { describe, expect, it } from 'vitest';
import { addWorkingDays, appointmentProblem, appointmentWindow, isWorkingDay } from './working-days';

// 2026: Hùng Kings' day falls on Sunday 26 April and is made up on Monday 27; 30 April and 1 May are Thursday and Friday.
const HOLIDAYS = new Set(['2026-04-27', '2026-04-30', '2026-05-01']);

describe('working days', () => {
  it('skips Saturdays, Sundays and public holidays', () => {
    expect(['2026-04-24', '2026-04-25', '2026-04-26', '2026-04-27', '2026-04-28'].map((d) => isWorkingDay(d, HOLIDAYS))).toEqual([true, false, false, false, true]);
  });

  it('counts processing time in working days, across a weekend and a holiday', () => {
    // Friday 24 April + 1 working day: Saturday, Sunday and the holiday Monday are skipped.
    expect(addWorkingDays('2026-04-24', 1, HOLIDAYS)).toBe('2026-04-28');
    // + 3: Tuesday 28, Wednesday 29, then Thursday 30 April and Friday 1 May are holidays, the weekend follows: Monday 4 May.
    expect(addWorkingDays('2026-04-24', 3, HOLIDAYS)).toBe('2026-05-04');
    expect(addWorkingDays('2026-04-24', 0, HOLIDAYS)).toBe('2026-04-24');
  });

  it('offers appointments from the end of the processing time to the last working day 60 days later', () => {
    expect(appointmentWindow('2026-04-24', 3, HOLIDAYS)).toEqual({ earliest: '2026-05-04', latest: '2026-07-03' });
    // 60 days after Wednesday 25 November 2026 is Sunday 24 January 2027: the window ends on Friday the 22nd.
    expect(appointmentWindow('2026-11-20', 3, new Set())).toEqual({ earliest: '2026-11-25', latest: '2027-01-22' });
  });

  it('says why a day cannot be the appointment', () => {
    const window = appointmentWindow('2026-04-24', 1, HOLIDAYS);
    expect(appointmentProblem('2026-04-27', window, HOLIDAYS)).toMatch(/before 2026-04-28/);
    expect(appointmentProblem('2026-05-02', window, HOLIDAYS)).toMatch(/weekend/);
    expect(appointmentProblem('2026-04-30', window, HOLIDAYS)).toMatch(/public holiday/);
    expect(appointmentProblem('2026-04-29', window, HOLIDAYS)).toBeNull();
    expect(appointmentProblem('2026-07-01', window, HOLIDAYS)).toMatch(/up to/);
  });
});
