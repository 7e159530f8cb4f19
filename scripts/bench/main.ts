/**
 * `npm run bench`: starts the infrastructure (if down) and both built apps on topics and a database
 * of their own, measures ingest, sink, end-to-end latency and memory in one run next to baselines
 * on the same broker and database, prints a table and writes bench-results/<run>.json.
 *
 *   npm run bench                  full run (≈ 5–10 minutes)
 *   npm run bench -- --quick       smoke run (about a minute; figures mean little)
 *   npm run bench -- --profile     also CPU-profile both apps and print where their time went
 *   npm run bench -- --only=sink   only some phases (e2e, sink, ingest), for working on one of them
 *   npm run bench -- --backlog=500000 --e2e-rate=3000   any size, also as BENCH_BACKLOG=... (config.ts)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { TOPICS } from '@app/contracts';
import { BenchConfig, loadBenchConfig } from './config';
import { endToEnd, steadyLoad, warmUp } from './e2e-latency';
import { batchBodies, singleBodies } from './events';
import { batchMax, singleAtRate, singleClosedLoop } from './ingest';
import { openLoopInChild } from './open-loop';
import { Pair, PairSummary, measuredCpu, perThousand, summarizePairs } from './cpu';
import {
  benchKafka,
  produceLoop,
  produceLoopInChild,
  producerPerformance,
  rawProducer,
} from './kafka-baseline';
import { RssWatch, maxHeap } from './memory';
import { Machine, machine, table, writeJson } from './report';
import { ProfileSummary, formatSummary, summarizeDir } from './profile';
import { Results, toRows } from './rows';
import {
  DrainResult,
  baselineInsertMany,
  drain,
  endOffsets,
  rawKafkaDrain,
  waitStored,
} from './sink';
import { BenchApp, ensureInfra, isolation } from './stack';

const t0 = performance.now();
const progress = (line: string): void =>
  console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}`);

interface Stack {
  config: BenchConfig;
  env: Record<string, string>;
  topic: string;
  mongoUri: string;
  producer: BenchApp;
  /** The consumer while one runs, so a failed phase still stops it. */
  consumer?: BenchApp;
  watches: RssWatch[];
  results: Results;
  /** End-to-end events still unstored when that phase's consumer stopped. */
  e2eLeftover: number;
}

/** How long the end-to-end phase waits for its consumer to store the last events. */
const E2E_CATCH_UP_SECONDS = 120;

async function startConsumer(s: Stack, extraEnv: Record<string, string> = {}): Promise<BenchApp> {
  s.consumer = await BenchApp.start('consumer', s.config, { ...s.env, ...extraEnv });
  s.watches.push(new RssWatch('consumer', s.consumer.pid, `${s.consumer.url}/metrics`));
  return s.consumer;
}

async function stopConsumer(s: Stack, phase: string): Promise<void> {
  await s.consumer?.stop();
  s.consumer = undefined;
  // After the exit, so the shutdown's memory belongs to this phase and the watch can end.
  for (const w of s.watches) w.endPhase(phase);
  for (const w of s.watches) if (w.app === 'consumer') w.stop();
}

/**
 * First, on a collection of its own: on FerretDB a lookup by eventId scans the collection, so
 * the read-back probes would otherwise time the 200,000-document backlog, not the pipeline.
 */
async function e2ePhase(s: Stack): Promise<void> {
  const e = s.config.e2e;
  const consumer = await startConsumer(s, { MONGODB_COLLECTION: 'activities_e2e' });
  const urls = { producerUrl: s.producer.url, consumerUrl: consumer.url };
  await warmUp({ ...urls, ...e });
  progress(`end to end: warming up at ${e.rate} ev/s for ${e.warmUpSeconds} s (not timed)`);
  const warm = (await steadyLoad({ ...urls, ...e }, e.warmUpSeconds)) + 1; // + the first event
  await waitStored(consumer, warm, E2E_CATCH_UP_SECONDS);
  progress(
    `end to end: ${e.rate} ev/s for ${e.seconds} s in batches of ${e.batchSize}, 1 in ${e.sampleEvery} read back`,
  );
  // What is not stored by the stop is stored by the sink's consumer, so the sink counts it.
  const afterSends = async (accepted: number): Promise<number> => {
    const expected = accepted + warm;
    const caughtUp = await waitStored(consumer, expected, E2E_CATCH_UP_SECONDS);
    s.e2eLeftover = Math.max(0, expected - caughtUp.count);
    return caughtUp.count >= expected ? caughtUp.seconds : NaN;
  };
  const r = (s.results.e2e = await endToEnd({ ...urls, ...e, afterSends }));
  progress(`  p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms`);
  await stopConsumer(s, 'e2e');
}

/** FerretDB's pid from the infra scripts' pid file, so its CPU is counted on both sides. */
function databasePid(s: Stack): number | undefined {
  const file = join(
    process.env.INFRA_RUN ?? join(s.config.rootDir, '.infra', 'run'),
    'ferretdb',
    'ferretdb.pid',
  );
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  return Number.isInteger(pid) && existsSync(`/proc/${pid}/stat`) ? pid : undefined;
}

/**
 * Interleaved pairs: a backlog with the consumer stopped, raw insertMany of as many documents
 * (the baseline), a raw kafkajs consumer draining the same backlog into a collection of its own
 * (a reference: the least a consumer does), then the consumer drains the backlog. Both raw sides
 * write into collections as large as the consumer's. CPU per 1k documents of the consumer and of
 * the bench process on the raw sides come with each pair, and the database's on both sides.
 */
async function sinkPhase(s: Stack): Promise<void> {
  const { config: c } = s;
  const perPair = Math.ceil(c.sink.backlog / c.pairs);
  const dbPid = databasePid(s);
  const pairs: Pair[] = [];
  const rawPairs: Pair[] = [];
  const drains: DrainResult[] = [];
  let storedSoFar = s.e2eLeftover;
  // The consumer's collection before each drain (the end-to-end phase wrote to its own).
  let inCollection = 0;
  for (let i = 0; i < c.pairs; i += 1) {
    const from = await endOffsets(c.brokers, s.topic);
    const producer = await rawProducer(c.brokers);
    progress(`sink pair ${i + 1}/${c.pairs}: a backlog of ${perPair} events with raw kafkajs`);
    s.results.backlog = await produceLoop(producer, s.topic, {
      batchSize: 500,
      concurrency: 4,
      maxEvents: perPair,
    });
    await producer.disconnect();
    progress(
      `  baseline insertMany of ${perPair} docs, ${c.sink.flushSize}/batch, ${c.sink.insertConcurrency} at a time, into ${inCollection} as the consumer's collection holds`,
    );
    // Both raw sides insert as the consumer flushes, into collections as large as its own.
    const work = {
      docs: perPair,
      batchSize: c.sink.flushSize,
      concurrency: c.sink.insertConcurrency,
      topic: s.topic,
      startSize: inCollection,
    };
    const base = await baselineInsertMany(s.mongoUri, work, dbPid);
    s.results.insertBaseline = base;
    const expected = perPair + (i === 0 ? s.e2eLeftover : 0);
    storedSoFar += perPair;
    const raw = await rawKafkaDrain(
      c.brokers,
      s.mongoUri,
      { ...work, from, timeoutSeconds: c.sink.timeoutSeconds },
      dbPid,
    );
    progress(
      `  ${base.docsPerSec.toFixed(0)} docs/s; a raw kafkajs drain ${raw.docsPerSec.toFixed(0)} docs/s; the consumer drains ${expected}`,
    );
    const { result } = await drain(
      () => startConsumer(s),
      s.mongoUri,
      expected,
      c.sink.timeoutSeconds,
      progress,
      dbPid,
    );
    drains.push({ ...result, expected: storedSoFar });
    inCollection = storedSoFar;
    await stopConsumer(s, 'drain');
    const baselineCpuPer1k = perThousand(base.cpuSeconds ?? NaN, base.docs);
    const oursCpuPer1k = perThousand(result.cpuSeconds, result.docs);
    pairs.push({
      baseline: base.docsPerSec,
      ours: result.docsPerSec,
      ratio: result.docsPerSec / base.docsPerSec,
      baselineCpuPer1k,
      oursCpuPer1k,
      cpuRatio: oursCpuPer1k / baselineCpuPer1k,
      ...(base.databaseCpuSeconds !== undefined && result.databaseCpuSeconds !== undefined
        ? {
            baselineDatabaseCpuPer1k: perThousand(base.databaseCpuSeconds, base.docs),
            oursDatabaseCpuPer1k: perThousand(result.databaseCpuSeconds, result.docs),
          }
        : {}),
    });
    const rawCpuPer1k = perThousand(raw.cpuSeconds ?? NaN, raw.docs);
    rawPairs.push({
      baseline: raw.docsPerSec,
      ours: result.docsPerSec,
      ratio: result.docsPerSec / raw.docsPerSec,
      baselineCpuPer1k: rawCpuPer1k,
      oursCpuPer1k,
      cpuRatio: oursCpuPer1k / rawCpuPer1k,
    });
    progress(
      `  ${result.docsPerSec.toFixed(0)} docs/s (${((100 * result.docsPerSec) / base.docsPerSec).toFixed(0)} % of raw insertMany, ${((100 * result.docsPerSec) / raw.docsPerSec).toFixed(0)} % of the raw drain), ${result.storedInDb} docs in the database`,
    );
  }
  s.results.drainPairs = summarizePairs(pairs);
  s.results.rawDrainPairs = summarizePairs(rawPairs);
  // The last drain holds the collection's total; its rate is the median pair's below.
  s.results.drain = drains[drains.length - 1];
}

/**
 * Batch ingest against raw kafkajs as interleaved pairs (raw, API, raw, API, …): each ratio is
 * taken minutes apart at most, so the machine's drift hits both sides; CPU seconds per 1,000
 * events of the API process and of the process running the raw producer (a fresh one per pair,
 * see inFreshProcess) come with each.
 */
async function batchPairs(s: Stack): Promise<PairSummary> {
  const { config: c, producer: api } = s;
  const pairs: Pair[] = [];
  for (let i = 0; i < c.pairs; i += 1) {
    const base = await produceLoopInChild(c.brokers, s.topic, {
      batchSize: c.batch.size,
      concurrency: c.batch.connections,
      seconds: c.batch.seconds,
      prebuilt: true,
    });
    const ours = await measuredCpu(api.pid, () =>
      batchMax(api.url, c.batch.size, c.batch.connections, c.batch.seconds),
    );
    const baselineCpuPer1k = perThousand(base.cpuSeconds, base.result.events);
    const oursCpuPer1k = perThousand(ours.cpuSeconds, ours.result.requests * c.batch.size);
    pairs.push({
      baseline: base.result.eventsPerSec,
      ours: ours.result.eventsPerSec,
      ratio: ours.result.eventsPerSec / base.result.eventsPerSec,
      baselineCpuPer1k,
      oursCpuPer1k,
      cpuRatio: oursCpuPer1k / baselineCpuPer1k,
    });
    s.results.batch = ours.result;
    s.results.rawBatch = base.result;
    progress(
      `  pair ${i + 1}/${c.pairs}: raw ${base.result.eventsPerSec.toFixed(0)} ev/s, API ${ours.result.eventsPerSec.toFixed(0)} ev/s`,
    );
  }
  return summarizePairs(pairs);
}

/** A second producer-api with transactions on, for one measurement (the first one idles). */
async function withTransactionalApi<T>(s: Stack, run: (url: string) => Promise<T>): Promise<T> {
  const api = await BenchApp.start('producer-api', s.config, {
    ...s.env,
    PRODUCER_TRANSACTIONS: 'on',
    // A batch is one transaction of one producer: lanes are refused with transactions.
    PRODUCER_LANES: '1',
    PRODUCER_TRANSACTIONAL_ID: `bench-${s.config.runId}`,
  });
  try {
    await batchMax(api.url, s.config.batch.size, s.config.batch.connections, 5); // warm-up
    return await run(api.url);
  } finally {
    await api.stop();
  }
}

/** HTTP ingest and its baselines, with no consumer running (it would share the two cores). */
async function ingestPhase(s: Stack): Promise<void> {
  const { config: c, results: r, producer: api } = s;
  progress(
    `ingest: warming up (single POST at ${c.single.rate} req/s for ${c.single.warmUpSeconds} s)`,
  );
  await singleAtRate(api.url, c.single.rate, c.single.maxConnections, c.single.warmUpSeconds);
  progress(`ingest: single POST at ${c.single.rate} req/s, steady, for ${c.single.seconds} s`);
  r.single = await singleAtRate(api.url, c.single.rate, c.single.maxConnections, c.single.seconds);
  progress(
    `  p50 ${r.single.p50Ms} ms, p99 ${r.single.p99Ms} ms; the same rate as autocannon per-second bursts`,
  );
  r.singleBursts = await singleClosedLoop(
    api.url,
    c.single.connections,
    c.single.seconds,
    c.single.rate,
  );
  progress(
    `  p50 ${r.singleBursts.p50Ms} ms, p99 ${r.singleBursts.p99Ms} ms; single POST max with ${c.single.maxConnections} connections`,
  );
  r.singleMax = await singleClosedLoop(api.url, c.single.maxConnections, c.single.seconds);
  progress(
    `  ${r.singleMax.requestsPerSec.toFixed(0)} req/s; batch POST ${c.batch.size}/req, ${c.batch.connections} connections`,
  );
  r.batchPairs = await batchPairs(s);
  const b = r.batchPairs;
  progress(
    `  median ${(b.ratio.median * 100).toFixed(0)} % of raw kafkajs (${(b.ratio.min * 100).toFixed(0)}–${(b.ratio.max * 100).toFixed(0)} %), CPU ${b.oursCpuPer1k.toFixed(3)} vs ${b.baselineCpuPer1k.toFixed(3)} s per 1k events; the same with PRODUCER_TRANSACTIONS=on`,
  );
  r.batchTxn = await withTransactionalApi(s, (url) =>
    batchMax(url, c.batch.size, c.batch.connections, c.batch.seconds),
  );
  for (const w of s.watches) w.endPhase('ingest');
  progress(
    `  ${r.batchTxn.eventsPerSec.toFixed(0)} ev/s with transactions; raw kafkajs 1/send baseline`,
  );
  r.rawSingle = (
    await produceLoopInChild(c.brokers, s.topic, {
      batchSize: 1,
      concurrency: c.single.maxConnections,
      seconds: c.single.seconds,
      prebuilt: true,
    })
  ).result;
  progress(
    `  ${r.rawSingle.eventsPerSec.toFixed(0)} ev/s; Kafka ProducerPerformance, ${c.perfRecords} records`,
  );
  r.perf = await producerPerformance(c, s.topic);
  progress(`  ${r.perf.summary}`);
}

/**
 * The spike of issue 20: batch POSTs offered open loop at OVERLOAD_FACTOR × the batch capacity
 * measured in this run, for OVERLOAD_SECONDS; then how long until single POSTs are served
 * normally again (20 in a row answered 202 within 100 ms).
 */
async function overloadPhase(s: Stack): Promise<void> {
  const { config: c, results: r, producer: api } = s;
  const capacity =
    r.batch?.requestsPerSec ??
    (await batchMax(api.url, c.batch.size, c.batch.connections, 10)).requestsPerSec;
  const rate = Math.max(1, Math.round(capacity * c.overload.factor));
  progress(
    `overload: batch POST ${c.batch.size}/req offered at ${rate} req/s (${c.overload.factor}× the ${capacity.toFixed(1)} req/s measured) for ${c.overload.seconds} s`,
  );
  const spike = await openLoopInChild({
    url: `${api.url}/v1/activities/batch`,
    bodies: batchBodies(20, c.batch.size),
    eventsPerRequest: c.batch.size,
    rate,
    seconds: c.overload.seconds,
    maxConnections: c.overload.connections,
  });
  const ended = performance.now();
  for (const w of s.watches) w.endPhase('overload');
  let inARow = 0;
  let recoverySeconds: number | null = null;
  const bodies = singleBodies(200);
  for (let i = 0; performance.now() - ended < 60_000; i += 1) {
    const sent = performance.now();
    const res = await fetch(`${api.url}/v1/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[i % bodies.length],
    }).catch(() => null);
    await res?.arrayBuffer();
    inARow = res?.status === 202 && performance.now() - sent < 100 ? inARow + 1 : 0;
    if (inARow === 20) {
      recoverySeconds = (performance.now() - ended) / 1000;
      break;
    }
  }
  r.overload = { offeredRps: rate, capacityRps: capacity, spike, recoverySeconds };
  progress(
    `  accepted ${spike.eventsPerSec.toFixed(0)} ev/s, answers ${JSON.stringify(spike.statuses)}, full service again after ${recoverySeconds?.toFixed(1) ?? '>60'} s`,
  );
}

async function cleanup(s: Stack, prefix: string, dbName: string): Promise<void> {
  if (process.env.BENCH_KEEP_DATA === '1') return;
  const admin = benchKafka(s.config.brokers).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  await admin.deleteTopics({ topics });
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
  await admin.deleteGroups(groups.filter((g) => g.startsWith(prefix)));
  await admin.disconnect();
  const client = new MongoClient(`${s.config.mongoBase}/${dbName}`);
  await client
    .db()
    .dropDatabase()
    .finally(() => client.close());
}

/** Folds every process's watch into one figure per app: the highest peak of its instances. */
function collectMemory(s: Stack): void {
  for (const w of s.watches) {
    w.stop();
    const prev = s.results.rssMb[w.app] ?? { peak: 0, phases: {}, heap: {} };
    const phases = { ...prev.phases };
    for (const [k, v] of Object.entries(w.phases)) phases[k] = Math.max(phases[k] ?? 0, v);
    const heap = { ...prev.heap };
    for (const [k, v] of Object.entries(w.heapPhases)) heap[k] = maxHeap(heap[k], v);
    s.results.rssMb[w.app] = { peak: Math.max(prev.peak, w.lifetimePeakMb), phases, heap };
  }
}

function report(s: Stack, m: Machine): void {
  const rows = toRows(s.config, s.results);
  console.log(`\n${table(rows)}\n`);
  const { config, results } = s;
  const dir = join(config.outDir, 'profiles', config.runId);
  const profiles: Record<string, ProfileSummary[]> = config.profile
    ? {
        'producer-api': summarizeDir(join(dir, 'producer-api')),
        consumer: summarizeDir(join(dir, 'consumer')),
      }
    : {};
  const file = writeJson(config.outDir, config.runId, {
    machine: m,
    config,
    rows,
    results,
    profiles,
  });
  progress(`wrote ${file}; Markdown:\n\n${table(rows, true)}\n`);
  for (const [app, summaries] of Object.entries(profiles)) {
    summaries.forEach((p, i) => console.log(`\n${formatSummary(p, `${app} #${i + 1}`)}`));
  }
}

async function main(): Promise<void> {
  const config = loadBenchConfig(process.argv.slice(2), process.env);
  const m = machine();
  progress(
    `run ${config.runId}${config.quick ? ' (--quick)' : ''} [${config.phases.join(', ')}]: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, load ${m.loadAverage}, node ${m.node}, ${m.java}`,
  );
  if (config.startInfra) await ensureInfra(config);
  const iso = isolation(config);
  progress(`starting producer-api (topics ${iso.prefix}*, database ${iso.dbName})`);
  const producer = await BenchApp.start('producer-api', config, iso.env);
  const s: Stack = {
    config,
    env: iso.env,
    producer,
    topic: `${iso.prefix}${TOPICS.activity}`,
    mongoUri: iso.env.MONGODB_URI,
    watches: [new RssWatch('producer-api', producer.pid, `${producer.url}/metrics`)],
    results: { rssMb: {} },
    e2eLeftover: 0,
  };
  try {
    if (config.phases.includes('e2e')) await e2ePhase(s);
    if (config.phases.includes('sink')) await sinkPhase(s);
    if (config.phases.includes('ingest')) await ingestPhase(s);
    if (config.phases.includes('overload')) await overloadPhase(s);
  } finally {
    collectMemory(s);
    await s.consumer?.stop();
    await producer.stop();
    await cleanup(s, iso.prefix, iso.dbName).catch((e: unknown) =>
      progress(`cleanup failed: ${String(e)}`),
    );
  }
  report(s, m);
}

// Exit explicitly: an idle keep-alive socket of a client library must not hold the run open.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
