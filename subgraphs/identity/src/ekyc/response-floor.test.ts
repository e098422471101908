import { describe, expect, it } from 'vitest';
import { ResponseFloor, type FloorClock } from './response-floor';

/** A clock that only moves when told to: work "takes" what the test says, sleeping advances it. */
function fakeClock() {
  let now = 1_000;
  const slept: number[] = [];
  const clock: FloorClock = { now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; } };
  return { clock, slept, advance: (ms: number) => { now += ms; }, now: () => now };
}

describe('the response floor', () => {
  it.each([
    ['a fast check (nobody found)', 3, 247],
    ['a slower check (five attributes compared)', 40, 210],
    ['work that takes exactly the floor', 250, 0],
    ['work that overruns the floor: it waits for the next multiple', 260, 240],
  ])('%s: answers at a multiple of the floor', async (_case, workMs, expectedSleep) => {
    const { clock, slept, advance, now } = fakeClock();
    const floor = new ResponseFloor(250, clock);
    const started = now();
    await expect(floor.hold(async () => { advance(workMs); return 'answer'; })).resolves.toBe('answer');
    expect(slept.reduce((a, b) => a + b, 0)).toBe(expectedSleep);
    expect((now() - started) % 250).toBe(0);
  });

  it('holds a failure as long as an answer, then lets it through unchanged', async () => {
    const { clock, advance, now } = fakeClock();
    const floor = new ResponseFloor(250, clock);
    const started = now();
    const refusal = new Error('refused');
    await expect(floor.hold(async () => { advance(5); throw refusal; })).rejects.toBe(refusal);
    expect(now() - started).toBe(250);
  });

  it('needs a positive floor', () => {
    expect(() => new ResponseFloor(0)).toThrow();
  });
});
