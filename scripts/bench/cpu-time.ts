/**
 * CPU time by part of the system, from /proc: the bench's process tree, each process counted to
 * the part it belongs to — a named process (the worker, the API) with its descendants, PostgreSQL
 * and its backends, the Temporal server, and the bench itself (its HTTP clients). Two snapshots
 * around a phase say which part its time went to.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;
const PARTS_BY_COMMAND: Readonly<Record<string, string>> = { postgres: 'PostgreSQL', temporal: 'Temporal server' };
const BENCH_ITSELF = 'bench client';

export type CpuSnapshot = Map<string, number>;

interface ProcessStat {
  parent: number;
  command: string;
  ticks: number;
}

export function cpuSnapshot(named: Readonly<Record<string, number>>): CpuSnapshot {
  const stats = processStats();
  const partOfPid = new Map<number, string>(Object.entries(named).map(([part, pid]) => [pid, part]));
  // The nearest named or known process up the tree decides; a process outside the bench's tree (another's server) counts nowhere.
  const partOf = (pid: number): string | null => {
    let part: string | null = null;
    for (let current = pid; current > 1; current = stats.get(current)?.parent ?? 0) {
      part ??= partOfPid.get(current) ?? PARTS_BY_COMMAND[stats.get(current)?.command ?? ''] ?? null;
      if (current === process.pid) return part ?? BENCH_ITSELF;
    }
    return null;
  };
  const snapshot: CpuSnapshot = new Map();
  for (const [pid, stat] of stats) {
    const part = partOf(pid);
    if (part !== null) snapshot.set(part, (snapshot.get(part) ?? 0) + stat.ticks / CLOCK_TICKS_PER_SECOND);
  }
  return snapshot;
}

/** "worker 12.3 s, API 4.5 s, …": the CPU seconds each part used between two snapshots, most first. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): string {
  return [...after]
    .map(([part, seconds]) => ({ part, used: seconds - (before.get(part) ?? 0) }))
    .sort((a, b) => b.used - a.used)
    .map(({ part, used }) => `${part} ${used.toFixed(1)} s`)
    .join(', ');
}

/** Its own time and that of its children that have ended (PostgreSQL's ended backends count to the server). */
function cpuTicks(fields: string[]): number {
  const [user, system, endedChildrenUser, endedChildrenSystem] = fields.slice(11, 15).map(Number) as [number, number, number, number];
  return user + system + endedChildrenUser + endedChildrenSystem;
}

function processStats(): Map<number, ProcessStat> {
  const stats = new Map<number, ProcessStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // The command name may hold spaces and parentheses: the other fields follow its last ')'.
    const command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), { parent: Number(fields[1]), command, ticks: cpuTicks(fields) });
  }
  return stats;
}

/**
 * Waits until `part` uses less than `share` of a core over one second, or `limitMs` passed;
 * answers how long it waited. What a phase leaves running (the notifications of the cases just
 * made) would otherwise be counted against the next one.
 */
export async function untilQuiet(named: Readonly<Record<string, number>>, part: string, { share = 0.05, limitMs = 120_000 } = {}): Promise<number> {
  const started = performance.now();
  let last = cpuSnapshot(named).get(part) ?? 0;
  while (performance.now() - started < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = cpuSnapshot(named).get(part) ?? 0;
    if (now - last < share) break;
    last = now;
  }
  return performance.now() - started;
}
