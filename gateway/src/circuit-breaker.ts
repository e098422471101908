/**
 * A circuit breaker per subgraph: after `threshold` failures in a row (no answer, a timeout, or an answer that is
 * not GraphQL), the subgraph is taken as down for `cooldownMs`, and requests to it fail at once instead of each
 * waiting out the timeout behind a dead service (and holding a socket and a request's memory while they wait).
 * After the cooldown one request at a time is let through as a probe: an answer closes the circuit, a failure
 * opens it for another cooldown. A GraphQL error is an answer: the subgraph is up.
 *
 * About forty lines with no timers of its own, so it is written here: the libraries for it wrap every call in
 * their own promise and event machinery, on the gateway's hottest path.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(private readonly threshold: number, private readonly cooldownMs: number, private readonly now: () => number = Date.now) {}

  /** Whether a request may go now; when it may not, how many seconds until one may. */
  admit(): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (this.failures < this.threshold) return { allowed: true };
    const wait = this.openUntil - this.now();
    if (wait > 0 || this.probing) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    this.probing = true;
    return { allowed: true };
  }

  succeeded(): void {
    this.failures = 0;
    this.probing = false;
  }

  failed(): void {
    this.probing = false;
    this.failures += 1;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) return 'closed';
    return this.openUntil > this.now() ? 'open' : 'half-open';
  }
}
