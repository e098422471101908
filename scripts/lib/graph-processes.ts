import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { superviseAll, type SupervisedGroup, type SupervisorOptions } from './supervisor';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');

/** The four services, in start order, as compiled entry points under dist/. */
export const SERVICE_ENTRIES = ['subgraphs/payments/src/main.js', 'subgraphs/identity/src/main.js', 'subgraphs/documents/src/main.js', 'gateway/src/main.js'] as const;

export interface GraphProcesses {
  children: ChildProcess[];
  /** SIGTERM to every service; SIGKILL to any still running after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts every service as its own process with `env`; `onExit` hears of one that dies by itself.
 * GRAPH_NODE_ARGS adds flags to each service's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a
 * bench run; Node refuses those in NODE_OPTIONS).
 */
export function spawnGraph(env: NodeJS.ProcessEnv, onExit: (entry: string, code: number | null) => void, stdio: 'inherit' | 'ignore' = 'inherit'): GraphProcesses {
  let stopping = false;
  const children = SERVICE_ENTRIES.map((entry) => {
    const child = spawnService(entry, env, stdio);
    child.once('exit', (code) => { if (!stopping) onExit(entry, code); });
    return child;
  });
  return {
    children,
    async stop(graceMs = 5_000) {
      stopping = true;
      await Promise.all(children.map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => { clearTimeout(kill); resolve(); });
        child.kill('SIGTERM');
      })));
    },
  };
}

/** One service's process. GRAPH_NODE_ARGS adds flags to its node (see spawnGraph). */
function spawnService(entry: string, env: NodeJS.ProcessEnv, stdio: 'inherit' | 'ignore'): ChildProcess {
  const nodeArgs = (env.GRAPH_NODE_ARGS ?? process.env.GRAPH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  return spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, path.join(DIST, entry)], { env, stdio: ['ignore', stdio, stdio] });
}

/** A service's name in logs: `payments` for subgraphs/payments/src/main.js, `gateway` for gateway/src/main.js. */
export function serviceName(entry: string): string {
  const parts = entry.split('/');
  return parts[0] === 'subgraphs' ? parts[1] : parts[0];
}

/**
 * The four services as npm start runs them: each one that exits by itself is started again with back-off, on the
 * same port and with the same `env`, while the others keep serving (supervisor.ts); `stop()` ends them all.
 */
export function superviseGraph(env: NodeJS.ProcessEnv, options: SupervisorOptions, stdio: 'inherit' | 'ignore' = 'inherit'): SupervisedGroup {
  return superviseAll(SERVICE_ENTRIES.map((entry) => ({ name: serviceName(entry), spawn: () => spawnService(entry, env, stdio) })), options);
}

/** Polls `url` until it answers 200 or the time is up. */
export async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return true; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}
