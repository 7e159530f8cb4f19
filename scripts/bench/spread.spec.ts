import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHASES } from './config';
import { Row } from './report';
import {
  RunFile,
  cell,
  markdown,
  newestFullRuns,
  parseArgs,
  parseRun,
  range,
  rowKey,
  spread,
  verdict,
} from './spread';

const batch = (value: number, ratios: string, status: Row['status']): Row => ({
  section: 'Ingest',
  metric: `batch POST 500/req, 4 conns: median of 3 pairs (ratios ${ratios})`,
  value,
  unit: 'ev/s',
  baseline: { name: 'raw kafkajs', value: 20_000 },
  target: '≥ 100 % of raw',
  status,
});

const rss = (value: number): Row => ({
  section: 'Memory',
  metric: 'consumer peak RSS (VmHWM)',
  value,
  unit: 'MiB',
  target: '< 150 MB (143.1 MiB)',
  status: value < 143.1 ? 'PASS' : 'MISS',
});

const run = (runId: string, rows: Row[], over: Partial<RunFile> = {}): RunFile => ({
  runId,
  quick: false,
  phases: [...PHASES],
  rows,
  ...over,
});

describe('bench spread', () => {
  it('matches a figure across runs although its name carries each run’s own numbers', () => {
    expect(rowKey(batch(1, '73 %–76 %', 'MISS'))).toBe(rowKey(batch(1, '64 %–80 %', 'MISS')));
    expect(rowKey(rss(1))).not.toBe(rowKey({ ...rss(1), metric: 'producer-api peak RSS (VmHWM)' }));
  });

  it('puts each run’s value in its own column, named as the first run names it', () => {
    const rows = spread([
      run('A', [batch(14_790, '73 %–76 %', 'MISS'), rss(182)]),
      run('B', [batch(20_400, '98 %–104 %', 'PASS'), rss(140)]),
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0].metric).toContain('73 %–76 %');
    expect(rows[0].cells.map((c) => c?.value)).toEqual([14_790, 20_400]);
    expect(rows[1].cells.map((c) => c?.value)).toEqual([182, 140]);
  });

  it('keeps figures apart whose names differ only in their digits', () => {
    const p = (metric: string, value: number): Row => ({
      section: 'Ingest',
      metric,
      value,
      unit: 'ms',
      status: '',
    });
    const rows = spread([
      run('A', [p('single POST p50', 4.3), p('single POST p99', 17.2)]),
      run('B', [p('single POST p50', 4.9), p('single POST p99', 34)]),
    ]);
    expect(rows.map((r) => [r.metric, ...r.cells.map((c) => c?.value)])).toEqual([
      ['single POST p50', 4.3, 4.9],
      ['single POST p99', 17.2, 34],
    ]);
  });

  it('leaves a gap where a run lacks a figure, and lists figures only later runs have last', () => {
    const rows = spread([run('A', [rss(182)]), run('B', [batch(1, 'x', 'MISS'), rss(181)])]);
    expect(rows.map((r) => r.section)).toEqual(['Memory', 'Ingest']);
    expect(rows[1].cells[0]).toBeUndefined();
    expect(cell(rows[1].cells[0])).toBe('—');
  });

  it('formats a cell with its ratio and its verdict against the target', () => {
    expect(cell(batch(14_790, 'x', 'MISS'))).toBe('14,790 ev/s (74 %) ✗');
    expect(cell({ ...batch(14_790, 'x', 'PASS'), ratio: '1.35×' })).toBe('14,790 ev/s (1.35×) ✓');
    expect(cell({ ...rss(90), target: undefined, status: '' })).toBe('90.0 MiB');
  });

  it('gives the range and how many runs met the target', () => {
    const [row] = spread([run('A', [rss(182)]), run('B', [rss(140)]), run('C', [])]);
    expect(range(row)).toBe('140–182 MiB');
    expect(verdict(row)).toBe('1 of 2');
    const [same] = spread([run('A', [rss(182)]), run('B', [rss(182)])]);
    expect(range(same)).toBe('182 MiB');
    const [alike] = spread([run('A', [rss(2004.6)]), run('B', [rss(2005.1)])]);
    expect(range(alike)).toBe('2,005 MiB');
    const [untargeted] = spread([run('A', [{ ...rss(1), status: '' }])]);
    expect(verdict(untargeted)).toBe('');
  });

  it('prints a Markdown table with one column per run', () => {
    const text = markdown([run('A', [rss(182)]), run('B', [rss(140)])]).split('\n');
    expect(text[0]).toBe('| Section | Figure | `A` | `B` | Range | Target | Met |');
    expect(text[2]).toBe(
      '| Memory | consumer peak RSS (VmHWM) | 182 MiB ✗ | 140 MiB ✓ | 140–182 MiB | < 150 MB (143.1 MiB) | 1 of 2 |',
    );
  });

  it('rejects a file that is not a bench result', () => {
    expect(() => parseRun('{"rows": []}', 'x.json')).toThrow(/x\.json is not a bench result/);
    expect(
      parseRun(JSON.stringify({ config: { runId: 'R', quick: true }, rows: [] }), 'f'),
    ).toEqual({ runId: 'R', quick: true, phases: [], rows: [] });
  });

  it('picks the newest full runs, oldest first, skipping quick, partial and unreadable ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spread-'));
    try {
      const write = (id: string, config: object) =>
        writeFileSync(
          join(dir, `${id}.json`),
          JSON.stringify({ config: { runId: id, phases: [...PHASES], ...config }, rows: [] }),
        );
      write('20261201T100000-aaaa', {});
      write('20261202T100000-bbbb', {});
      write('20261203T090000-cccc', { quick: true });
      write('20261203T100000-dddd', { phases: ['ingest'] });
      write('20261203T110000-eeee', {});
      writeFileSync(join(dir, 'notes.txt'), 'not a run');
      writeFileSync(join(dir, '20261203T120000-ffff.json'), '{"config": {"runId": "cut off');
      const skipped: string[] = [];
      expect(newestFullRuns(dir, 2, skipped).map((r) => r.runId)).toEqual([
        '20261202T100000-bbbb',
        '20261203T110000-eeee',
      ]);
      expect(skipped).toEqual([expect.stringMatching(/^20261203T120000-ffff\.json \(/)]);
      expect(newestFullRuns(dir, 9)).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes --last=N and file names, and refuses anything else', () => {
    expect(parseArgs([])).toEqual({ files: [], last: 3 });
    expect(parseArgs(['--last=5', 'a.json'])).toEqual({ files: ['a.json'], last: 5 });
    expect(() => parseArgs(['--pairs=3'])).toThrow(/unknown option --pairs=3/);
    expect(() => parseArgs(['--last=0'])).toThrow(/--last takes a whole number/);
  });
});
