import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../../subgraphs/shared/src';

export interface SupergraphFileOptions {
  path: string;
  /** How often the file is checked for a change (stat polling, which follows a replaced file or symlink); 0: never. */
  watchMs: number;
  log: Logger;
  /** Told of every reload attempt (tests, metrics). */
  onReload?: (outcome: { loaded: boolean; id: string; error?: string }) => void;
}

const idOf = (sdl: string) => createHash('sha256').update(sdl).digest('hex').slice(0, 12);

/**
 * The supergraph read from its file, and read again when the file changes or the process gets SIGHUP. The gateway
 * builds the new schema before it switches: requests in flight finish on the old one, new ones get the new one, and
 * nothing is dropped. A file that is not a valid supergraph (half-written, a bad composition) is refused and logged,
 * and the gateway keeps serving the one it has. The file is polled with stat rather than fs.watch: editors and
 * Kubernetes ConfigMaps replace files (a rename, a symlink swap), which fs.watch loses track of.
 */
export function supergraphFromFile(options: SupergraphFileOptions): { hook: SupergraphSdlHook; reload: () => void } {
  let reloadNow = () => {};
  const hook: SupergraphSdlHook = async ({ update }) => {
    let current = readFileSync(options.path, 'utf8');
    const reload = (why: string) => {
      let sdl: string;
      try {
        sdl = readFileSync(options.path, 'utf8');
      } catch (error) {
        options.log.error('supergraph reload: the file cannot be read; still serving the current one', { why, error: (error as Error).message });
        options.onReload?.({ loaded: false, id: '', error: (error as Error).message });
        return;
      }
      if (sdl === current) return;
      const id = idOf(sdl);
      try {
        update(sdl);
        current = sdl;
        options.log.info('supergraph reloaded', { why, id });
        options.onReload?.({ loaded: true, id });
      } catch (error) {
        options.log.error('supergraph reload refused; still serving the current one', { why, id, error: (error as Error).message.slice(0, 500) });
        options.onReload?.({ loaded: false, id, error: (error as Error).message });
      }
    };
    const onSignal = () => reload('SIGHUP');
    process.on('SIGHUP', onSignal);
    reloadNow = () => reload('asked');
    const onChange = (now: Stats, before: Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) reload('file changed');
    };
    if (options.watchMs > 0) watchFile(options.path, { interval: options.watchMs, persistent: false }, onChange);
    options.log.info('supergraph loaded', { path: options.path, id: idOf(current), watchMs: options.watchMs });
    return {
      supergraphSdl: current,
      async cleanup() {
        process.off('SIGHUP', onSignal);
        // This listener only: another gateway in the process (the tests run several) may watch the same file.
        if (options.watchMs > 0) unwatchFile(options.path, onChange);
      },
    };
  };
  return { hook, reload: () => reloadNow() };
}
