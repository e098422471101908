import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_ENTRIES, serviceName } from '../../scripts/lib/graph-processes';
import { supervise, superviseAll, type Clock, type Supervised, type SupervisedGroup } from '../../scripts/lib/supervisor';

/**
 * npm start's supervisor (scripts/lib/supervisor.ts) on real child processes: tiny node programs that crash at
 * once or stay up. Only the restart timers run on a clock the test moves by hand, so a 30 s back-off takes no
 * time and each delay asked for can be read.
 */

/** A clock that moves only when told; every delay asked for is kept in `delays`. */
class HandClock implements Clock {
  time = 1_000_000;
  delays: number[] = [];
  private timers = new Map<number, { at: number; callback: () => void }>();
  private next = 0;
  now() { return this.time; }
  setTimeout(callback: () => void, ms: number) { this.delays.push(ms); this.timers.set(++this.next, { at: this.time + ms, callback }); return this.next; }
  clearTimeout(handle: unknown) { this.timers.delete(handle as number); }
  get pending() { return this.timers.size; }
  /** Moves the time on and runs the timers that fall due. */
  advance(ms: number) {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) if (timer.at <= this.time) { this.timers.delete(id); timer.callback(); }
  }
}

const node = (code: string): ChildProcess => spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
const crashes = (exitCode = 1) => node(`process.exit(${exitCode})`);
const staysUp = () => node('setInterval(() => {}, 1_000)');
const ignoresSigterm = () => node(`process.on('SIGTERM', () => {}); setInterval(() => {}, 1_000); console.log('ready')`);
const said = (child: ChildProcess, text: string) => new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes(text)) resolve(); }));
const isAlive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for the crash of the running process (its restart timer set), then lets the back-off pass. */
async function crashAndRestart(clock: HandClock, crashesSoFar: number): Promise<void> {
  await until(() => clock.delays.length === crashesSoFar + 1 && clock.pending === 1, `crash ${crashesSoFar + 1}`);
  clock.advance(clock.delays.at(-1)!);
}

describe('the supervisor npm start runs the services under', () => {
  const started: Array<Supervised | SupervisedGroup> = [];
  afterEach(async () => { await Promise.all(started.splice(0).map((s) => s.stop(1_000))); });

  it('restarts a crashed service after 1 s, 2 s, 4 s … up to 30 s, logging each attempt, and keeps retrying at the cap', async () => {
    const clock = new HandClock();
    const log: string[] = [];
    let spawned = 0;
    const service = supervise({ name: 'payments', spawn: () => { spawned++; return crashes(1); } }, { log: (line) => log.push(line), clock });
    started.push(service);
    for (let crash = 0; crash < 8; crash++) await crashAndRestart(clock, crash);
    await until(() => clock.delays.length === 9, 'the ninth crash');

    expect(clock.delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(spawned).toBe(9);
    expect(service.restarts).toBe(9);
    expect(log[0]).toBe('payments exited with code 1; restarting in 1 s (restart 1)');
    expect(log[5]).toBe('payments exited with code 1; restarting in 30 s (restart 6)');
    expect(log).toHaveLength(9);
  });

  it('starts the back-off again from 1 s once the service stayed up 60 s', async () => {
    const clock = new HandClock();
    const log: string[] = [];
    let spawned = 0;
    // The first two attempts crash at once; from the third on the service stays up until it is killed.
    const service = supervise({ name: 'identity', spawn: () => (++spawned <= 2 ? crashes(2) : staysUp()) }, { log: (line) => log.push(line), clock });
    started.push(service);
    await crashAndRestart(clock, 0);
    await crashAndRestart(clock, 1);
    await until(() => spawned === 3 && service.child !== undefined, 'the third start');

    clock.advance(59_000);                   // up 59 s: not yet healthy, the next crash still waits longer
    service.child!.kill('SIGKILL');
    await crashAndRestart(clock, 2);
    await until(() => spawned === 4 && service.child !== undefined, 'the fourth start');

    clock.advance(60_000);                   // up 60 s: healthy, the next crash starts from 1 s
    service.child!.kill('SIGKILL');
    await until(() => clock.delays.length === 4, 'the fourth crash');

    expect(clock.delays).toEqual([1_000, 2_000, 4_000, 1_000]);
    expect(log.slice(2)).toEqual([
      'identity was killed by SIGKILL; restarting in 4 s (restart 3)',
      'identity was killed by SIGKILL; restarting in 1 s (restart 4)',
    ]);
  });

  it('does not restart a service that exits because it is stopped, and kills one that ignores SIGTERM after the grace', async () => {
    const clock = new HandClock();
    const log: string[] = [];
    let spawned = 0;
    const polite = supervise({ name: 'documents', spawn: () => { spawned++; return staysUp(); } }, { log: (line) => log.push(line), clock });
    const stubborn = supervise({ name: 'gateway', spawn: () => { spawned++; return ignoresSigterm(); } }, { log: (line) => log.push(line), clock });
    const [politeChild, stubbornChild] = [polite.child!, stubborn.child!];
    await said(stubbornChild, 'ready');   // listening for SIGTERM by now

    const began = Date.now();
    await Promise.all([polite.stop(), stubborn.stop(500)]);

    expect(politeChild.signalCode).toBe('SIGTERM');
    expect(stubbornChild.signalCode).toBe('SIGKILL');
    expect(Date.now() - began).toBeLessThan(3_000);
    clock.advance(120_000);
    expect(clock.delays).toEqual([]);
    expect(log).toEqual([]);
    expect(spawned).toBe(2);
    expect(polite.child).toBeUndefined();
  });

  it('stop cancels a pending restart', async () => {
    const clock = new HandClock();
    const log: string[] = [];
    let spawned = 0;
    const service = supervise({ name: 'payments', spawn: () => { spawned++; return crashes(1); } }, { log: (line) => log.push(line), clock });
    await until(() => clock.pending === 1, 'the restart to be scheduled');

    await service.stop();
    expect(clock.pending).toBe(0);
    clock.advance(120_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(spawned).toBe(1);
    expect(service.child).toBeUndefined();
    expect(log).toEqual(['payments exited with code 1; restarting in 1 s (restart 1)']);
  });

  it('keeps the other services running, untouched, while one crashes and is restarted', async () => {
    const clock = new HandClock();
    const log: string[] = [];
    const graph = superviseAll([
      { name: 'gateway', spawn: staysUp },
      { name: 'identity', spawn: staysUp },
      { name: 'payments', spawn: () => crashes(1) },
    ], { log: (line) => log.push(line), clock });
    started.push(graph);
    const [gateway, identity] = graph.services;
    const steady = [gateway.child!, identity.child!];
    for (let crash = 0; crash < 4; crash++) await crashAndRestart(clock, crash);
    await until(() => clock.delays.length === 5, 'the fifth crash');

    expect(steady.every(isAlive)).toBe(true);
    expect([gateway.child, identity.child]).toEqual(steady);
    expect([gateway.restarts, identity.restarts]).toEqual([0, 0]);
    expect(log.every((line) => line.startsWith('payments exited with code 1'))).toBe(true);
    expect(graph.children()).toEqual(steady);   // payments is waiting for its restart

    await graph.stop();
    expect(steady.some(isAlive)).toBe(false);
    expect(graph.children()).toEqual([]);
  });

  it("names npm start's services in its log as people call them", () => {
    expect(SERVICE_ENTRIES.map(serviceName)).toEqual(['payments', 'identity', 'documents', 'gateway']);
  });
});
