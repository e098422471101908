/** Time as the floor reads it; tests pass a fake one, so nothing sleeps for real in them. */
export interface FloorClock {
  /** Milliseconds from any fixed origin (monotonic). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: FloorClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Answers no sooner than a floor, so that how long an answer took says nothing of what was found: a check that
 * found no one and one that compared five attributes both answer at the floor. Work that overruns the floor
 * answers at the next multiple of it, so a slow moment does not open the gap again by a few milliseconds.
 * Failures wait too.
 */
export class ResponseFloor {
  constructor(readonly floorMs: number, private readonly clock: FloorClock = realClock) {
    if (!(floorMs > 0)) throw new Error('the response floor must be positive');
  }

  async hold<T>(work: () => Promise<T>): Promise<T> {
    const started = this.clock.now();
    try {
      return await work();
    } finally {
      const elapsed = this.clock.now() - started;
      const target = Math.max(1, Math.ceil(elapsed / this.floorMs)) * this.floorMs;
      if (target > elapsed) await this.clock.sleep(target - elapsed);
    }
  }
}
