import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRedisServer } from '../../scripts/lib/local-services';

/**
 * How `npm start` and the tests' global setup get redis-server on a fresh machine (ensureRedisServer): the
 * decision, on a PATH of the test's own making. apt-get there is a real program that records how it was called
 * and, on `install`, puts a redis-server beside itself, so nothing is installed on (or removed from) this machine.
 */

const folders: string[] = [];
afterEach(() => { for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true }); });

interface FakeMachine { bin: string; PATH: string; aptCalls: () => string[] }

/** A folder that is the whole PATH: with an apt-get that works (or fails on install), and maybe a redis-server already. */
function fakeMachine(options: { aptGet?: 'works' | 'fails'; redisServer?: boolean } = {}): FakeMachine {
  const bin = mkdtempSync(path.join(tmpdir(), 'nig-apt-'));
  folders.push(bin);
  const calls = path.join(bin, 'apt-calls.log');
  if (options.aptGet) {
    writeFileSync(path.join(bin, 'apt-get'), `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(calls)}, args.join(' ') + ' [DEBIAN_FRONTEND=' + process.env.DEBIAN_FRONTEND + ']\\n');
if (args[0] === 'install') {
  if (${options.aptGet === 'fails'}) { console.error('E: Unable to locate package redis-server'); process.exit(100); }
  fs.writeFileSync(${JSON.stringify(path.join(bin, 'redis-server'))}, '#!/bin/sh\\nexit 0\\n', { mode: 0o755 });
}
`);
    chmodSync(path.join(bin, 'apt-get'), 0o755);
  }
  if (options.redisServer) writeFileSync(path.join(bin, 'redis-server'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return { bin, PATH: bin, aptCalls: () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []) };
}

describe('ensureRedisServer: the README commands are enough on a fresh machine', () => {
  it('does nothing and says nothing when redis-server is on PATH', async () => {
    const machine = fakeMachine({ aptGet: 'works', redisServer: true });
    const log: string[] = [];
    expect(await ensureRedisServer((line) => log.push(line), { PATH: machine.PATH, uid: 0, platform: 'linux' })).toBe(true);
    expect(machine.aptCalls()).toEqual([]);
    expect(log).toEqual([]);
  });

  it('installs it with apt-get as root, with a line before and after, and only once', async () => {
    const machine = fakeMachine({ aptGet: 'works' });
    const log: string[] = [];
    expect(await ensureRedisServer((line) => log.push(line), { PATH: machine.PATH, uid: 0, platform: 'linux' })).toBe(true);

    expect(machine.aptCalls()).toEqual(['update -qq [DEBIAN_FRONTEND=noninteractive]', 'install -y -qq redis-server [DEBIAN_FRONTEND=noninteractive]']);
    expect(existsSync(path.join(machine.bin, 'redis-server'))).toBe(true);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^redis-server is not installed: installing it with apt-get .*…$/);
    expect(log[1]).toMatch(new RegExp(`^installed redis-server \\(${machine.bin}/redis-server\\) in \\d+ s$`));

    expect(await ensureRedisServer((line) => log.push(line), { PATH: machine.PATH, uid: 0, platform: 'linux' })).toBe(true);
    expect(machine.aptCalls()).toHaveLength(2);
  });

  it('does not try without root, and says the one command to run', async () => {
    const machine = fakeMachine({ aptGet: 'works' });
    const log: string[] = [];
    expect(await ensureRedisServer((line) => log.push(line), { PATH: machine.PATH, uid: 1000, platform: 'linux' })).toBe(false);
    expect(machine.aptCalls()).toEqual([]);
    expect(log).toEqual(['redis-server is not installed and cannot be installed from here (not root); install it with: sudo apt-get install redis-server']);
  });

  it('does not try without apt-get, and says the one command to run (brew on macOS)', async () => {
    const machine = fakeMachine();
    const log: string[] = [];
    expect(await ensureRedisServer((line) => log.push(line), { PATH: machine.PATH, uid: 0, platform: 'linux' })).toBe(false);
    expect(await ensureRedisServer((line) => log.push(line), { PATH: machine.PATH, uid: 501, platform: 'darwin' })).toBe(false);
    expect(log).toEqual([
      'redis-server is not installed and cannot be installed from here (no apt-get); install it with: sudo apt-get install redis-server',
      'redis-server is not installed and cannot be installed from here (not root); install it with: brew install redis',
    ]);
  });

  it('says why and what to run when the install fails', async () => {
    const machine = fakeMachine({ aptGet: 'fails' });
    const log: string[] = [];
    expect(await ensureRedisServer((line) => log.push(line), { PATH: machine.PATH, uid: 0, platform: 'linux' })).toBe(false);
    expect(machine.aptCalls()).toHaveLength(2);
    expect(log).toHaveLength(2);
    expect(log[1]).toBe('could not install redis-server (apt-get install exited with code 100: E: Unable to locate package redis-server); install it with: sudo apt-get install redis-server');
  });
});
