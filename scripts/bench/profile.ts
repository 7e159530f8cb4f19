import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Share of the sampled time the process was idle (waiting on I/O); the rest is CPU time. */
  idleShare: number;
  /** Self time (shares of the CPU time, idle excluded) by where the code lives: a package, node internals, the app, or idle/GC. */
  byOwner: { owner: string; ms: number; share: number }[];
  topFunctions: { fn: string; ms: number; share: number }[];
}

function ownerOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  return 'app code';
}

const top = <K extends string>(m: Map<string, number>, total: number, key: K, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([name, us]) =>
        ({ [key]: name, ms: us / 1000, share: us / total }) as Record<K, string> & {
          ms: number;
          share: number;
        },
    );

/** Where one process spent its CPU: self time per owner and per function. */
export function summarize(file: string, n = 10): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byOwner = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const f = frames.get(id);
    if (!f) return;
    if (f.functionName === '(idle)') return void (idle += us);
    total += us;
    const owner = ownerOf(f.url, f.functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const where = f.url
      ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|libs)\//, '$1/')}:${f.lineNumber + 1}`
      : '';
    const fn = `${f.functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  });
  return {
    file,
    totalMs: total / 1000,
    idleShare: idle / (idle + total),
    byOwner: top(byOwner, total, 'owner', n),
    topFunctions: top(byFn, total, 'fn', n),
  };
}

export function summarizeDir(dir: string): ProfileSummary[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  return files.map((f) => summarize(join(dir, f)));
}

export function formatSummary(s: ProfileSummary, label: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)} %`;
  return [
    `${label}: ${(s.totalMs / 1000).toFixed(1)} s on CPU, idle ${pct(s.idleShare).trim()} of the time (${s.file})`,
    '  CPU time by owner:',
    ...s.byOwner.map((o) => `  ${pct(o.share)}  ${o.owner}`),
    '  top functions (self time):',
    ...s.topFunctions.map((f) => `  ${pct(f.share)}  ${f.fn}`),
  ].join('\n');
}
