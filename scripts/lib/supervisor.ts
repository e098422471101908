import type { ChildProcess } from 'node:child_process';

/**
 * Keeps long-running child processes up: one that exits by itself (a crash, a kill -9, an out-of-memory) is
 * started again after a delay that doubles with each crash in a row, so a service that cannot start does not
 * spin the machine's two cores, and one that crashed once is back within a second. `npm start` runs the graph
 * under it (graph-processes.ts `superviseGraph`), so one crashed subgraph costs its own fields for a moment and
 * not the whole graph.
 */

/** 1 s, 2 s, 4 s … up to 30 s between attempts; a service that stayed up 60 s counts as healthy and starts from 1 s again. */
export interface Backoff { firstMs: number; maxMs: number; stableMs: number }
export const DEFAULT_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

/** Where the supervisor reads the time and sets restart timers: the system's, or one a test moves by hand. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A service to keep up: its name for the log, and how to start it (the same command, port and environment each time). */
export interface ServiceSpec { name: string; spawn: () => ChildProcess }

export interface SupervisorOptions {
  log: (line: string) => void;
  backoff?: Partial<Backoff>;
  clock?: Clock;
}

export interface Supervised {
  readonly name: string;
  /** The running process; undefined while a restart is pending or after stop. */
  readonly child: ChildProcess | undefined;
  /** How many times it has been started again since the first start. */
  readonly restarts: number;
  /** No more restarts (a pending one is cancelled); SIGTERM, then SIGKILL if still running after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SupervisedGroup {
  services: Supervised[];
  /** The processes running now (they change as services are restarted). */
  children(): ChildProcess[];
  stop(graceMs?: number): Promise<void>;
}

/** The wait before the n-th start in a row that follows a crash (n ≥ 1). */
export function restartDelay(crashesInARow: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.firstMs * 2 ** (crashesInARow - 1), backoff.maxMs);
}

function formatDelay(ms: number): string {
  return ms >= 1_000 && ms % 1_000 === 0 ? `${ms / 1_000} s` : ms >= 1_000 ? `${(ms / 1_000).toFixed(1)} s` : `${ms} ms`;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** Starts `service` now and keeps it up until `stop()`. */
export function supervise(service: ServiceSpec, options: SupervisorOptions): Supervised {
  const backoff: Backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const clock = options.clock ?? systemClock;
  let child: ChildProcess | undefined;
  let startedAt = 0;
  let crashesInARow = 0;
  let restarts = 0;
  let pendingRestart: unknown;
  let stopping = false;

  const scheduleRestart = (how: string) => {
    if (clock.now() - startedAt >= backoff.stableMs) crashesInARow = 0;
    crashesInARow++;
    restarts++;
    const delay = restartDelay(crashesInARow, backoff);
    options.log(`${service.name} ${how}; restarting in ${formatDelay(delay)} (restart ${restarts})`);
    pendingRestart = clock.setTimeout(() => { pendingRestart = undefined; if (!stopping) start(); }, delay);
  };

  const start = () => {
    startedAt = clock.now();
    let current: ChildProcess;
    try {
      current = service.spawn();
    } catch (error) {
      child = undefined;
      scheduleRestart(`could not be started (${(error as Error).message})`);
      return;
    }
    child = current;
    let ended = false;
    const end = (how: string) => {
      if (ended) return;
      ended = true;
      if (child === current) child = undefined;
      if (!stopping) scheduleRestart(how);
    };
    current.once('exit', (code, signal) => end(describeExit(code, signal)));
    // 'error' without 'exit' when the process never started (e.g. the executable is missing); later errors (a
    // failed kill) leave it running and are not a crash. A listener is needed either way, or Node throws.
    current.on('error', (error) => { if (current.pid === undefined) end(`could not be started (${error.message})`); });
  };

  start();
  return {
    name: service.name,
    get child() { return child; },
    get restarts() { return restarts; },
    async stop(graceMs = 5_000) {
      stopping = true;
      if (pendingRestart !== undefined) { clock.clearTimeout(pendingRestart); pendingRestart = undefined; }
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        // Real time on purpose: the grace is what the process gets, whatever clock the restarts use.
        const kill = setTimeout(() => current.kill('SIGKILL'), graceMs);
        current.once('exit', () => { clearTimeout(kill); resolve(); });
        current.kill('SIGTERM');
      });
    },
  };
}

/** Supervises every service, all started at once; `stop()` stops them together. */
export function superviseAll(services: ServiceSpec[], options: SupervisorOptions): SupervisedGroup {
  const supervised = services.map((service) => supervise(service, options));
  return {
    services: supervised,
    children: () => supervised.flatMap((service) => (service.child ? [service.child] : [])),
    async stop(graceMs) { await Promise.all(supervised.map((service) => service.stop(graceMs))); },
  };
}
