import { readFileSync } from 'node:fs';

/** VmRSS and VmHWM (peak resident set since the process started) in MiB, or null if it is gone. */
export function readRss(pid: number): { rssMb: number; peakMb: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/**
 * Follows one app process: the kernel keeps its lifetime peak (VmHWM); polling VmRSS as well
 * gives the peak of each phase, so the report can say which load made the process grow.
 */
export class RssWatch {
  private timer?: NodeJS.Timeout;
  private phasePeak = 0;
  lifetimePeakMb = 0;
  readonly phases: Record<string, number> = {};

  constructor(
    readonly app: string,
    private readonly pid: number,
    intervalMs = 200,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const now = readRss(this.pid);
    if (!now) return;
    this.phasePeak = Math.max(this.phasePeak, now.rssMb);
    this.lifetimePeakMb = Math.max(this.lifetimePeakMb, now.peakMb);
  }

  /** Closes the current phase under `name`, recording its peak RSS. */
  endPhase(name: string): void {
    this.sample();
    this.phases[name] = Math.max(this.phases[name] ?? 0, this.phasePeak);
    this.phasePeak = 0;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
