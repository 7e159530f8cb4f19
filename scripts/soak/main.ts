/**
 * The soak (issue 20): both apps under a steady open-loop load at half the measured capacity for
 * a long while (30 minutes by default), sampling every few seconds their RSS, V8 heap in use,
 * event-loop lag and the consumer's lag; prints the slopes after the warm-up (a leak shows as a
 * positive RSS slope) and writes the samples (JSON) and a plot (SVG). Not part of `npm test`.
 *
 *   npm run soak                     # 30 minutes
 *   npm run soak -- --minutes=5      # shorter; also --rate=<events/s>, --warm-up=<minutes>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBenchConfig } from '../bench/config';
import { batchBodies } from '../bench/events';
import { batchMax } from '../bench/ingest';
import { readRss } from '../bench/memory';
import { openLoopInChild } from '../bench/open-loop';
import { BenchApp, ensureInfra, isolation, metricSum, sleep } from '../bench/stack';
import { Series, slopePerHour, svgPlot } from './plot';

const SAMPLE_MS = 5000;
const BATCH = 100;

function arg(name: string, fallback: number): number {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = given ? Number(given.split('=')[1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a number > 0`);
  return value;
}

interface Sample {
  minute: number;
  rss: Record<string, number>;
  heapUsed: Record<string, number>;
  loopLagMs: Record<string, number>;
  consumerLag: number;
  stored: number;
}

const progress = (msg: string) => process.stderr.write(`[soak] ${msg}\n`);

async function main(): Promise<void> {
  const minutes = arg('minutes', 30);
  const warmUp = arg('warm-up', Math.min(5, minutes / 3));
  const config = loadBenchConfig([], { ...process.env, BENCH_QUICK: undefined });
  await ensureInfra(config);
  const iso = isolation(config);
  const producer = await BenchApp.start('producer-api', config, iso.env);
  const consumer = await BenchApp.start('consumer', config, iso.env);
  const apps = { 'producer-api': producer, consumer };
  const samples: Sample[] = [];
  try {
    const given = process.argv.find((a) => a.startsWith('--rate='));
    let rate = given ? arg('rate', 1) : 0;
    if (!rate) {
      progress('measuring the capacity (batch POSTs of 100 with the consumer draining, 10 s)');
      const capacity = await batchMax(producer.url, BATCH, 4, 10);
      rate = Math.round(capacity.eventsPerSec / 2);
    }
    progress(`load: ${rate} events/s (open loop, batches of ${BATCH}) for ${minutes} min`);
    const started = Date.now();
    const load = openLoopInChild({
      url: `${producer.url}/v1/activities/batch`,
      bodies: batchBodies(50, BATCH),
      eventsPerRequest: BATCH,
      rate: rate / BATCH,
      seconds: minutes * 60,
      maxConnections: 32,
    });
    let done = false;
    void load.finally(() => (done = true));
    while (!done) {
      const sample: Sample = {
        minute: (Date.now() - started) / 60_000,
        rss: {},
        heapUsed: {},
        loopLagMs: {},
        consumerLag: 0,
        stored: 0,
      };
      for (const [name, app] of Object.entries(apps)) {
        sample.rss[name] = readRss(app.pid)?.rssMb ?? 0;
        const text = await app.metrics().catch(() => '');
        sample.heapUsed[name] = metricSum(text, 'eyego_nodejs_heap_size_used_bytes') / 2 ** 20;
        sample.loopLagMs[name] = metricSum(text, 'eyego_nodejs_eventloop_lag_p99_seconds') * 1000;
        if (name === 'consumer') {
          sample.consumerLag = metricSum(text, 'eyego_consumer_lag');
          sample.stored = metricSum(text, 'eyego_events_consumed_total', 'outcome="stored"');
        }
      }
      samples.push(sample);
      if (samples.length % 12 === 0) {
        progress(
          `${sample.minute.toFixed(1)} min: RSS producer ${sample.rss['producer-api'].toFixed(0)} MiB, consumer ${sample.rss.consumer.toFixed(0)} MiB; consumer lag ${sample.consumerLag}; stored ${sample.stored}`,
        );
      }
      await sleep(SAMPLE_MS);
    }
    const result = await load;
    report({
      minutes,
      warmUp,
      rate,
      samples,
      load: result,
      runId: config.runId,
      outDir: config.outDir,
      rootDir: config.rootDir,
    });
  } finally {
    await consumer.stop();
    await producer.stop();
  }
}

function report(r: {
  minutes: number;
  warmUp: number;
  rate: number;
  samples: Sample[];
  load: Awaited<ReturnType<typeof openLoopInChild>>;
  runId: string;
  outDir: string;
  rootDir: string;
}): void {
  const after = r.samples.filter((s) => s.minute >= r.warmUp);
  const series: Series[] = [];
  for (const app of ['producer-api', 'consumer']) {
    series.push(
      {
        name: `${app} RSS`,
        unit: 'MiB',
        points: r.samples.map((s) => ({ minute: s.minute, value: s.rss[app] })),
      },
      {
        name: `${app} heap used`,
        unit: 'MiB',
        points: r.samples.map((s) => ({ minute: s.minute, value: s.heapUsed[app] })),
      },
      {
        name: `${app} event-loop lag p99`,
        unit: 'ms',
        points: r.samples.map((s) => ({ minute: s.minute, value: s.loopLagMs[app] })),
      },
    );
  }
  series.push({
    name: 'consumer lag (records)',
    unit: 'records',
    points: r.samples.map((s) => ({ minute: s.minute, value: s.consumerLag })),
  });
  const lines = series.map((s) => {
    const points = s.points.filter((p) => p.minute >= r.warmUp);
    const values = points.map((p) => p.value);
    return {
      series: s.name,
      unit: s.unit,
      slopePerHour: Math.round(slopePerHour(points) * 100) / 100,
      min: Math.round(Math.min(...values) * 10) / 10,
      max: Math.round(Math.max(...values) * 10) / 10,
    };
  });
  const title = `soak ${r.runId}: ${r.rate} events/s for ${r.minutes} min (slopes after ${r.warmUp} min)`;
  mkdirSync(r.outDir, { recursive: true });
  const svg = join(r.outDir, `soak-${r.runId}.svg`);
  writeFileSync(svg, svgPlot(title, series));
  writeFileSync(
    join(r.outDir, `soak-${r.runId}.json`),
    JSON.stringify({ ...r, series: lines, samples: r.samples, after: after.length }, null, 2),
  );
  console.log(`\n${title}`);
  console.log(
    `load: ${r.load.requests} batches accepted (${r.load.eventsPerSec.toFixed(0)} events/s), ${r.load.non2xx} not 2xx, ${r.load.errors} errors; answer p99 ${r.load.p99Ms} ms`,
  );
  console.log('\n| series | slope per hour | min | max |\n| --- | --- | --- | --- |');
  for (const l of lines)
    console.log(`| ${l.series} (${l.unit}) | ${l.slopePerHour} | ${l.min} | ${l.max} |`);
  console.log(`\nplot: ${svg} (copy it to docs/soak.svg for the README)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
