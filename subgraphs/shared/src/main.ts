import { ConfigError } from './config';
import type { RunningService } from './http';
import { collectProcessMetrics } from './metrics';
import { stopTracing } from './tracing';

/** Process entry for one service: clear message and exit 1 on bad config, clean stop on SIGINT/SIGTERM. */
export function runMain(name: string, start: () => Promise<RunningService>): void {
  collectProcessMetrics(name);
  start().then(
    (service) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: name, msg: 'stopping', signal }) + '\n');
        // The service's own grace for requests in flight, and a little more for closing connections and pools.
        const force = setTimeout(() => process.exit(1), (service.graceMs ?? 5_000) + 5_000);
        force.unref();
        // The spans of the last requests are sent before the process ends (nothing to do with tracing off).
        service.stop().then(() => stopTracing().then(() => process.exit(0)), () => stopTracing().then(() => process.exit(1)));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    (error) => {
      if (error instanceof ConfigError) process.stderr.write(`${name}: ${error.message}\n`);
      else process.stderr.write(`${name}: failed to start: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
