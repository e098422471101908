import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux everywhere that matters). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) the processes have used so far, read from /proc/<pid>/stat; a process that has ended
 * (or a system without /proc) counts 0. Compare two readings to see what a stretch of work cost each process.
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds per named group of processes, between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before = new Map<number, number>();

  constructor(private readonly groups: () => Promise<Record<string, number[]>>) {}

  async start(): Promise<void> {
    this.before.clear();
    for (const pids of Object.values(await this.groups())) for (const pid of pids) this.before.set(pid, cpuSeconds(pid));
  }

  /** Per group: CPU seconds used since `start()` by its processes (those that appeared since count from zero). */
  async stop(): Promise<Record<string, number>> {
    const used: Record<string, number> = {};
    for (const [name, pids] of Object.entries(await this.groups())) {
      used[name] = [...new Set(pids)].reduce((sum, pid) => sum + Math.max(0, cpuSeconds(pid) - (this.before.get(pid) ?? 0)), 0);
    }
    return used;
  }
}

/**
 * The most memory the process has held so far (its peak resident set, VmHWM in /proc/<pid>/status), in MiB; 0 for a
 * process that has ended or a system without /proc.
 */
export function peakResidentMiB(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
