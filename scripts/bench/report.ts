import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export type Status = 'PASS' | 'MISS' | '';

export interface Row {
  section: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** Shown instead of value / baseline, e.g. the median ratio of interleaved pairs, or "1.32×". */
  ratio?: string;
  /** Human-readable target, e.g. "≥ 70 % of raw"; judged by `pass`. */
  target?: string;
  status: Status;
}

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  loadAverage: string;
  node: string;
  java: string;
}

export function machine(): Machine {
  let java = 'not found';
  try {
    // `java -version` writes to stderr; redirect it so execFileSync returns it.
    java = execFileSync('bash', ['-c', 'java -version 2>&1 | head -n 1'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    // Reported as "not found"; ProducerPerformance will fail loudly on its own.
  }
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    node: process.version,
    java,
  };
}

export const fmt = (v: number): string =>
  !Number.isFinite(v)
    ? 'n/a'
    : v >= 100
      ? Math.round(v).toLocaleString('en-US')
      : v >= 1 || v === 0
        ? v.toFixed(1)
        : v.toFixed(3);

/** The row's own ratio text, else its value as a percentage of its baseline, else ''. */
export const ratioText = (row: Row): string =>
  row.ratio ?? (row.baseline ? `${((100 * row.value) / row.baseline.value).toFixed(0)} %` : '');

function cells(row: Row): string[] {
  const ratio = ratioText(row);
  const base = row.baseline ? `${fmt(row.baseline.value)} (${row.baseline.name})` : '';
  return [
    row.section,
    row.metric,
    `${fmt(row.value)} ${row.unit}`,
    base,
    ratio,
    row.target ?? '',
    row.status,
  ];
}

const HEADER = ['Section', 'Figure', 'Value', 'Baseline', 'Ratio', 'Target', ''];

/** A plain-text table for the terminal and a Markdown one for the README. */
export function table(rows: readonly Row[], markdown = false): string {
  const all = [HEADER, ...rows.map(cells)];
  if (markdown) {
    const line = (c: string[]) => `| ${c.join(' | ')} |`;
    return [line(HEADER), line(HEADER.map(() => '---')), ...rows.map((r) => line(cells(r)))].join(
      '\n',
    );
  }
  const widths = HEADER.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  return all
    .map((c) =>
      c
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function writeJson(outDir: string, runId: string, report: object): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${runId}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export const judge = (ok: boolean): Status => (ok ? 'PASS' : 'MISS');
