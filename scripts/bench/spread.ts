/**
 * `npm run bench:spread`: one table of the same figures over several bench runs, to see how far
 * a figure moves between identical runs on this shared machine before trusting one run.
 *
 *   npm run bench:spread                                   the newest 3 full runs in bench-results/
 *   npm run bench:spread -- --last=5                       the newest 5
 *   npm run bench:spread -- bench-results/A.json B.json    these runs, in this order
 *
 * Rows are matched by section and figure name with the digits taken out: names carry their own
 * run's numbers ("ratios 73 %–76 %"), so the table names each figure as the first run does.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PHASES, benchDirs } from './config';
import { Row, fmt, ratioText } from './report';

export interface RunFile {
  runId: string;
  quick: boolean;
  phases: string[];
  rows: Row[];
}

export interface SpreadRow {
  section: string;
  metric: string;
  unit: string;
  target: string;
  /** One cell per run, in run order; undefined where that run has no such row. */
  cells: (Row | undefined)[];
}

/** The figure's identity across runs: its section and name without the run's own numbers. */
export const rowKey = (row: Pick<Row, 'section' | 'metric'>): string =>
  `${row.section}|${row.metric.replace(/[\d.,]+/g, '#')}`;

export function parseRun(text: string, file: string): RunFile {
  const json = JSON.parse(text) as {
    config?: { runId?: string; quick?: boolean; phases?: string[] };
    rows?: Row[];
  };
  if (!Array.isArray(json.rows) || !json.config?.runId)
    throw new Error(`${file} is not a bench result (no config.runId or rows)`);
  return {
    runId: json.config.runId,
    quick: json.config.quick === true,
    phases: json.config.phases ?? [],
    rows: json.rows,
  };
}

/**
 * Rows in the order the first run that has them prints them; a row only later runs have comes
 * last. Figures that differ only in their digits ("single POST p50", "single POST p99") are told
 * apart by their order within the run, which every run keeps.
 */
export function spread(runs: readonly RunFile[]): SpreadRow[] {
  const byKey = new Map<string, SpreadRow>();
  runs.forEach((run, i) => {
    const seen = new Map<string, number>();
    for (const row of run.rows) {
      const base = rowKey(row);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const key = `${base}|${n}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = {
          section: row.section,
          metric: row.metric,
          unit: row.unit,
          target: row.target ?? '',
          cells: runs.map(() => undefined),
        };
        byKey.set(key, entry);
      }
      entry.cells[i] = row;
    }
  });
  return [...byKey.values()];
}

export function cell(row: Row | undefined): string {
  if (!row) return '—';
  const ratio = ratioText(row);
  const mark = row.status === 'PASS' ? ' ✓' : row.status === 'MISS' ? ' ✗' : '';
  return `${fmt(row.value)} ${row.unit}${ratio ? ` (${ratio})` : ''}${mark}`;
}

/** "min–max unit" over the runs that have the figure; a single value when they print alike. */
export function range(r: SpreadRow): string {
  const values = r.cells.filter((c): c is Row => c !== undefined).map((c) => c.value);
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // Values that print the same (2,004.6 and 2,005.1 ev/s) are one value to the reader.
  return fmt(lo) === fmt(hi) ? `${fmt(lo)} ${r.unit}` : `${fmt(lo)}–${fmt(hi)} ${r.unit}`;
}

/** "passed in k of n" over the runs that judge the figure; empty when no run has a target. */
export function verdict(r: SpreadRow): string {
  const judged = r.cells.filter((c) => c?.status === 'PASS' || c?.status === 'MISS');
  if (judged.length === 0) return '';
  return `${judged.filter((c) => c?.status === 'PASS').length} of ${judged.length}`;
}

export function markdown(runs: readonly RunFile[]): string {
  const header = [
    'Section',
    'Figure',
    ...runs.map((r) => `\`${r.runId}\``),
    'Range',
    'Target',
    'Met',
  ];
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  const body = spread(runs).map((r) =>
    line([r.section, r.metric, ...r.cells.map(cell), range(r), r.target, verdict(r)]),
  );
  return [line(header), line(header.map(() => '---')), ...body].join('\n');
}

const isFull = (r: RunFile): boolean => !r.quick && PHASES.every((p) => r.phases.includes(p));

/**
 * The newest `last` full runs (run ids start with their UTC start time, so names sort by age).
 * A file that is not a readable bench result (a run killed while writing, a note) is skipped and
 * named in `skipped`, so one stray file does not hide the others.
 */
export function newestFullRuns(dir: string, last: number, skipped: string[] = []): RunFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse();
  const runs: RunFile[] = [];
  for (const f of files) {
    if (runs.length === last) break;
    let run: RunFile;
    try {
      run = parseRun(readFileSync(join(dir, f), 'utf8'), f);
    } catch (error) {
      skipped.push(`${f} (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    if (isFull(run)) runs.push(run);
  }
  return runs.reverse();
}

export function parseArgs(argv: readonly string[]): { files: string[]; last: number } {
  let last = 3;
  const files: string[] = [];
  for (const a of argv) {
    if (a.startsWith('--last=')) {
      last = Number(a.slice('--last='.length));
      if (!Number.isInteger(last) || last < 1)
        throw new Error(`--last takes a whole number of runs, at least 1; got ${a}`);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}; takes --last=N or files`);
    else files.push(a);
  }
  return { files, last };
}

function main(): void {
  const { files, last } = parseArgs(process.argv.slice(2));
  const skipped: string[] = [];
  const dir = benchDirs(process.env).outDir;
  if (files.length === 0 && !existsSync(dir))
    throw new Error(`no bench results in ${dir} yet (npm run bench writes them)`);
  const runs =
    files.length > 0
      ? files.map((f) => parseRun(readFileSync(resolve(f), 'utf8'), basename(f)))
      : newestFullRuns(dir, last, skipped);
  for (const f of skipped) console.error(`note: skipped ${f}`);
  if (runs.length === 0) throw new Error(`no full bench runs in ${dir} (npm run bench)`);
  const partial = runs.filter((r) => !isFull(r)).map((r) => r.runId);
  if (partial.length > 0)
    console.error(`note: not full runs (--quick or --only): ${partial.join(', ')}`);
  console.log(`${runs.length} run(s): ${runs.map((r) => r.runId).join(', ')}\n`);
  console.log(markdown(runs));
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
