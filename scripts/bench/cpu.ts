import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may hold spaces: fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** CPU seconds this (bench) process has used, where a baseline runs in it. */
export const selfCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** CPU seconds spent by process `pid` while `work` ran. */
export async function measuredCpu<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: number }> {
  const before = cpuSeconds(pid);
  const result = await work();
  return { result, cpuSeconds: cpuSeconds(pid) - before };
}

/** CPU seconds per 1,000 events. */
export const perThousand = (cpu: number, events: number): number =>
  events > 0 ? (cpu * 1000) / events : NaN;

export interface Pair {
  baseline: number;
  ours: number;
  ratio: number;
  baselineCpuPer1k: number;
  oursCpuPer1k: number;
  cpuRatio: number;
  /** The database's CPU per 1k documents on each side, where a pair writes to it. */
  baselineDatabaseCpuPer1k?: number;
  oursDatabaseCpuPer1k?: number;
}

export interface PairSummary {
  pairs: Pair[];
  /** Median of the per-pair ratios, and their range. */
  ratio: { median: number; min: number; max: number };
  cpuRatio: { median: number; min: number; max: number };
  baselineMedian: number;
  oursMedian: number;
  baselineCpuPer1k: number;
  oursCpuPer1k: number;
}

export const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (values: number[]) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

export function summarizePairs(pairs: Pair[]): PairSummary {
  return {
    pairs,
    ratio: spread(pairs.map((p) => p.ratio)),
    cpuRatio: spread(pairs.map((p) => p.cpuRatio)),
    baselineMedian: median(pairs.map((p) => p.baseline)),
    oursMedian: median(pairs.map((p) => p.ours)),
    baselineCpuPer1k: median(pairs.map((p) => p.baselineCpuPer1k)),
    oursCpuPer1k: median(pairs.map((p) => p.oursCpuPer1k)),
  };
}
