import type { BenchConfig } from './config';
import type { E2eResult } from './e2e-latency';
import type { HttpLoadResult } from './ingest';
import type { PerfResult, ProduceResult } from './kafka-baseline';
import { type PairSummary, median } from './cpu';
import type { HeapPeaks } from './memory';
import { Row, judge } from './report';
import type { DrainResult, InsertResult } from './sink';

export interface Results {
  single?: HttpLoadResult;
  singleBursts?: HttpLoadResult;
  singleMax?: HttpLoadResult;
  rawSingle?: ProduceResult;
  batch?: HttpLoadResult;
  /** Batch ingest against raw kafkajs, interleaved pairs with CPU per 1k events. */
  batchPairs?: PairSummary;
  /** The batch phase against a producer-api with PRODUCER_TRANSACTIONS=on. */
  batchTxn?: HttpLoadResult;
  rawBatch?: ProduceResult;
  perf?: PerfResult;
  backlog?: ProduceResult;
  insertBaseline?: InsertResult;
  drain?: DrainResult;
  /** Consumer drain against raw insertMany, interleaved pairs with CPU per 1k documents. */
  drainPairs?: PairSummary;
  /** Consumer drain against a raw kafkajs drain (a reference: what the engine's work costs). */
  rawDrainPairs?: PairSummary;
  e2e?: E2eResult;
  overload?: {
    offeredRps: number;
    capacityRps: number;
    spike: HttpLoadResult;
    /** Seconds from the end of the spike to 20 single POSTs in a row served within 100 ms. */
    recoverySeconds: number | null;
  };
  rssMb: Record<
    string,
    { peak: number; phases: Record<string, number>; heap: Record<string, HeapPeaks> }
  >;
}

const row = (r: Omit<Row, 'status'> & { status?: Row['status'] }): Row => ({ status: '', ...r });

function ingestRows(c: BenchConfig, r: Results): Row[] {
  const out: Row[] = [];
  const { single, singleBursts, singleMax, rawSingle, batch, rawBatch, perf } = r;
  if (single) {
    const held = single.requestsPerSec >= 0.95 * c.single.rate && single.non2xx === 0;
    out.push(
      row({
        section: 'Ingest',
        metric: `single POST at ${c.single.rate} req/s, steady (open loop): rate held`,
        value: single.requestsPerSec,
        unit: 'req/s',
      }),
      row({ section: 'Ingest', metric: 'single POST p50', value: single.p50Ms, unit: 'ms' }),
      row({
        section: 'Ingest',
        metric: 'single POST p99',
        value: single.p99Ms,
        unit: 'ms',
        target: '< 15 ms',
        status: judge(held && single.p99Ms < 15),
      }),
    );
  }
  if (singleBursts)
    out.push(
      row({
        section: 'Ingest',
        metric: `single POST at ${c.single.rate} req/s as autocannon bursts (p50 ${singleBursts.p50Ms} ms), p99`,
        value: singleBursts.p99Ms,
        unit: 'ms',
      }),
    );
  if (singleMax && rawSingle)
    out.push(
      row({
        section: 'Ingest',
        metric: `single POST max (${c.single.maxConnections} conns; p99 ${singleMax.p99Ms} ms)`,
        value: singleMax.requestsPerSec,
        unit: 'ev/s',
        baseline: { name: 'kafkajs 1/send', value: rawSingle.eventsPerSec },
        target: '≥ 5,000 ev/s',
        status: judge(singleMax.non2xx === 0 && singleMax.requestsPerSec >= 5000),
      }),
    );
  const bp = r.batchPairs;
  if (bp) {
    const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
    out.push(
      row({
        section: 'Ingest',
        metric: `batch POST ${c.batch.size}/req, ${c.batch.connections} conns: median of ${bp.pairs.length} pairs (ratios ${pct(bp.ratio.min)}–${pct(bp.ratio.max)})`,
        value: bp.oursMedian,
        unit: 'ev/s',
        baseline: { name: 'raw kafkajs', value: bp.baselineMedian },
        ratio: pct(bp.ratio.median),
        target: '≥ 100 % of raw',
        status: judge(bp.ratio.median >= 1),
      }),
      row({
        section: 'Ingest',
        metric: `producer-api CPU per 1k batch events (ratios ${bp.cpuRatio.min.toFixed(2)}–${bp.cpuRatio.max.toFixed(2)}×)`,
        value: bp.oursCpuPer1k,
        unit: 's',
        baseline: { name: 'raw kafkajs process', value: bp.baselineCpuPer1k },
        ratio: `${bp.cpuRatio.median.toFixed(2)}×`,
        target: '≤ 1.2×',
        status: judge(bp.cpuRatio.median <= 1.2),
      }),
    );
  }
  const { batchTxn } = r;
  // Transactions off: the median of the pairs (the same API, minutes apart).
  const offRate = r.batchPairs?.oursMedian ?? batch?.eventsPerSec ?? 0;
  if (batch && batchTxn)
    out.push(
      row({
        section: 'Ingest',
        metric: `batch POST with transactions on (one per produce call; p99 ${batchTxn.p99Ms} ms)`,
        value: batchTxn.eventsPerSec,
        unit: 'ev/s',
        baseline: { name: 'transactions off', value: offRate },
        target: '≥ 80 % of off',
        status: judge(batchTxn.non2xx === 0 && batchTxn.eventsPerSec >= 0.8 * offRate),
      }),
    );
  if (batch && perf)
    out.push(
      row({
        section: 'Ingest',
        metric: 'batch POST (median of the pairs) vs Kafka ProducerPerformance',
        value: offRate,
        unit: 'ev/s',
        baseline: { name: 'Java perf', value: perf.recordsPerSec },
        target: '≥ 40 %',
        status: judge(offRate >= 0.4 * perf.recordsPerSec),
      }),
    );
  if (rawBatch && perf)
    out.push(
      row({
        section: 'Ingest',
        metric: 'raw kafkajs vs Kafka ProducerPerformance',
        value: rawBatch.eventsPerSec,
        unit: 'ev/s',
        baseline: { name: 'Java perf', value: perf.recordsPerSec },
      }),
    );
  return out;
}

function sinkRows(c: BenchConfig, r: Results): Row[] {
  const { drain, insertBaseline, drainPairs: dp } = r;
  if (!drain || !insertBaseline || !dp) return [];
  const expected = drain.expected;
  const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
  const dbCpu = dp.pairs.every((p) => p.oursDatabaseCpuPer1k !== undefined)
    ? {
        ours: median(dp.pairs.map((p) => p.oursDatabaseCpuPer1k ?? NaN)),
        baseline: median(dp.pairs.map((p) => p.baselineDatabaseCpuPer1k ?? NaN)),
      }
    : undefined;
  return [
    row({
      section: 'Sink',
      metric: `consumer drain, ${dp.pairs.length} pairs of ${insertBaseline.docs.toLocaleString('en-US')} (flush ${c.sink.flushSize}; indexes ${insertBaseline.indexes.join(', ')}; baseline's collection as large as the consumer's; ratios ${pct(dp.ratio.min)}–${pct(dp.ratio.max)})`,
      value: dp.oursMedian,
      unit: 'docs/s',
      baseline: { name: 'raw insertMany', value: dp.baselineMedian },
      ratio: pct(dp.ratio.median),
      target: '≥ 90 % of raw',
      status: judge(drain.storedInDb === expected && dp.ratio.median >= 0.9),
    }),
    row({
      section: 'Sink',
      metric: `consumer CPU per 1k docs (ratios ${dp.cpuRatio.min.toFixed(2)}–${dp.cpuRatio.max.toFixed(2)}×; decode and validate are on our side only)`,
      value: dp.oursCpuPer1k,
      unit: 's',
      baseline: { name: 'insertMany process', value: dp.baselineCpuPer1k },
      ratio: `${dp.cpuRatio.median.toFixed(2)}×`,
    }),
    ...(dbCpu
      ? [
          row({
            section: 'Sink',
            metric: 'database CPU per 1k docs',
            value: dbCpu.ours,
            unit: 's',
            baseline: { name: 'under raw insertMany', value: dbCpu.baseline },
            ratio: `${(dbCpu.ours / dbCpu.baseline).toFixed(2)}×`,
          }),
        ]
      : []),
    ...(r.rawDrainPairs
      ? [
          row({
            section: 'Sink',
            metric: `consumer drain vs a raw kafkajs drain (eachBatch, JSON.parse, insertMany, commit; no validation, DLQ, analytics or Nest; ratios ${pct(r.rawDrainPairs.ratio.min)}–${pct(r.rawDrainPairs.ratio.max)})`,
            value: r.rawDrainPairs.oursMedian,
            unit: 'docs/s',
            baseline: { name: 'raw kafkajs drain', value: r.rawDrainPairs.baselineMedian },
            ratio: pct(r.rawDrainPairs.ratio.median),
          }),
          row({
            section: 'Sink',
            metric: `consumer CPU per 1k docs vs the raw drain's process (ratios ${r.rawDrainPairs.cpuRatio.min.toFixed(2)}–${r.rawDrainPairs.cpuRatio.max.toFixed(2)}×)`,
            value: r.rawDrainPairs.oursCpuPer1k,
            unit: 's',
            baseline: { name: 'raw drain process', value: r.rawDrainPairs.baselineCpuPer1k },
            ratio: `${r.rawDrainPairs.cpuRatio.median.toFixed(2)}×`,
          }),
        ]
      : []),
    row({
      section: 'Sink',
      metric: 'last drain wall time incl. boot and group join',
      value: drain.wallSeconds,
      unit: 's',
    }),
    row({
      section: 'Sink',
      metric: `documents in the database (expected ${expected})`,
      value: drain.storedInDb,
      unit: 'docs',
      status: judge(drain.storedInDb === expected),
    }),
    row({
      section: 'Sink',
      metric: `mean flush (last drain): ${drain.meanFlushSize.toFixed(0)} docs in`,
      value: drain.meanFlushMs,
      unit: 'ms',
    }),
  ];
}

function e2eRows(c: BenchConfig, r: Results): Row[] {
  const e = r.e2e;
  if (!e) return [];
  // A p99 of a handful of probes proves nothing: fewer than 20 is never a PASS.
  const held =
    e.eventsPerSec >= 0.95 * c.e2e.rate &&
    e.failedRequests === 0 &&
    e.unreadable === 0 &&
    e.probes >= 20;
  return [
    row({
      section: 'End to end',
      metric: `rate sent (target ${c.e2e.rate} ev/s, ${e.probes} probes)`,
      value: e.eventsPerSec,
      unit: 'ev/s',
    }),
    row({
      section: 'End to end',
      metric: `202 → stored (consumer counter) p50 ${e.storedP50Ms.toFixed(0)} ms, p99`,
      value: e.storedP99Ms,
      unit: 'ms',
    }),
    row({ section: 'End to end', metric: '202 → readable p50', value: e.p50Ms, unit: 'ms' }),
    row({
      section: 'End to end',
      metric: '202 → readable p99',
      value: e.p99Ms,
      unit: 'ms',
      target: '< 300 ms',
      status: judge(held && e.p99Ms < 300),
    }),
    row({
      section: 'End to end',
      metric: `one read-API GET while probing (p50 ${e.readP50Ms.toFixed(0)} ms), p99`,
      value: e.readP99Ms,
      unit: 'ms',
    }),
    row({
      section: 'End to end',
      metric: 'batch POST p99 at this rate',
      value: e.postP99Ms,
      unit: 'ms',
    }),
    row({
      section: 'End to end',
      metric: 'all stored, counted from the last 202',
      value: e.catchUpSeconds,
      unit: 's',
    }),
  ];
}

/** 200 MB, the overload budget of issue 20, in the MiB that /proc reports. */
const RSS_LIMIT_MIB = 200e6 / 2 ** 20;
/** 150 MB per app, the steady target of issue 21. */
const RSS_TARGET_MIB = 150e6 / 2 ** 20;

/** The phase in which an app's RSS peaked, and its V8 heap figures there. */
function peakPhase(m: Results['rssMb'][string]): [string, HeapPeaks] | undefined {
  const [phase] = Object.entries(m.phases).sort((a, b) => b[1] - a[1])[0] ?? [];
  return phase && m.heap[phase] ? [phase, m.heap[phase]] : undefined;
}

function memoryRows(r: Results): Row[] {
  return Object.entries(r.rssMb).flatMap(([app, m]) => {
    const rows = [
      row({
        section: 'Memory',
        metric: `${app} peak RSS (VmHWM)`,
        value: m.peak,
        unit: 'MiB',
        target: '< 150 MB (143.1 MiB)',
        status: judge(m.peak < RSS_TARGET_MIB),
      }),
    ];
    const at = peakPhase(m);
    if (at) {
      const [phase, h] = at;
      const s = h.spaces;
      const f = (v: number | undefined): string => (v ?? 0).toFixed(0);
      rows.push(
        row({
          section: 'Memory',
          metric: `${app} in ${phase}: V8 heap (new ${f(s.new)}, old ${f(s.old)}, code ${f(s.code)}, large ${f(s.large_object)}); external ${f(h.external)} MiB; heap max`,
          value: h.heapTotal,
          unit: 'MiB',
        }),
      );
    }
    return rows;
  });
}

function overloadRows(c: BenchConfig, r: Results): Row[] {
  const o = r.overload;
  if (!o) return [];
  const { spike } = o;
  const shed = (spike.statuses?.['503'] ?? 0) + (spike.statuses?.['429'] ?? 0);
  const answered = spike.requests + spike.non2xx;
  const rssPeak = r.rssMb['producer-api']?.phases.overload;
  return [
    row({
      section: 'Overload',
      metric: `batch POST offered at ${o.offeredRps} req/s (${c.overload.factor}× capacity) for ${c.overload.seconds} s: accepted`,
      value: spike.eventsPerSec,
      unit: 'ev/s',
      baseline: { name: 'batch capacity', value: o.capacityRps * c.batch.size },
    }),
    row({
      section: 'Overload',
      metric: `shed with 503/429 (${shed} of ${answered} answers, ${spike.errors} connection errors); shed answers p99`,
      value: spike.nonOkP99Ms ?? 0,
      unit: 'ms',
    }),
    row({
      section: 'Overload',
      metric: 'accepted answers p99 during the spike',
      value: spike.p99Ms,
      unit: 'ms',
      target: '< 1000 ms',
      status: judge(spike.requests > 0 && spike.p99Ms < 1000),
    }),
    ...(rssPeak === undefined
      ? []
      : [
          row({
            section: 'Overload',
            metric: 'producer-api peak RSS during the spike',
            value: rssPeak,
            unit: 'MiB',
            target: '< 200 MB (190.7 MiB)',
            status: judge(rssPeak < RSS_LIMIT_MIB),
          }),
        ]),
    row({
      section: 'Overload',
      metric: 'full service again after the spike (20 single POSTs in a row within 100 ms)',
      value: o.recoverySeconds ?? 60,
      unit: 's',
      target: '< 10 s',
      status: judge(o.recoverySeconds !== null && o.recoverySeconds < 10),
    }),
  ];
}

export function toRows(c: BenchConfig, r: Results): Row[] {
  return [
    ...ingestRows(c, r),
    ...overloadRows(c, r),
    ...sinkRows(c, r),
    ...e2eRows(c, r),
    ...memoryRows(r),
  ];
}
