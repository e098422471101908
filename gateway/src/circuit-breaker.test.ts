import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';

function aClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

describe('the circuit breaker', () => {
  it('opens after the threshold of failures in a row, and an answer in between starts the count again', () => {
    const clock = aClock();
    const breaker = new CircuitBreaker(3, 5_000, clock.now);
    breaker.failed(); breaker.failed(); breaker.succeeded(); breaker.failed(); breaker.failed();
    expect(breaker.admit()).toEqual({ allowed: true });
    breaker.failed();
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterSeconds: 5 });
    clock.advance(4_500);
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('lets one probe through after the cooldown: its answer closes the circuit, its failure opens it again', () => {
    const clock = aClock();
    const breaker = new CircuitBreaker(2, 1_000, clock.now);
    breaker.failed(); breaker.failed();
    clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit()).toEqual({ allowed: true });
    // While the probe is out, everyone else still fails fast.
    expect(breaker.admit().allowed).toBe(false);
    breaker.failed();
    expect(breaker.state).toBe('open');
    expect(breaker.admit().allowed).toBe(false);
    clock.advance(1_000);
    expect(breaker.admit()).toEqual({ allowed: true });
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ allowed: true });
    expect(breaker.admit()).toEqual({ allowed: true });
  });
});
