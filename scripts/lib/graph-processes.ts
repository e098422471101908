import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
  const nodeArgs = (env.GRAPH_NODE_ARGS ?? process.env.GRAPH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const children = SERVICE_ENTRIES.map((entry) => {
    const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, path.join(DIST, entry)], { env, stdio: ['ignore', stdio, stdio] });
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

/** Polls `url` until it answers 200 or the time is up. */
export async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return true; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}
