import { Document, MongoClient } from 'mongodb';
import {
  IndexDefinition,
  READ_INDEX_MODES,
  ReadIndexMode,
  activityIndexes,
  serverFlavourOf,
} from '@app/activity-store';
import { fullEvent } from './events';
import { cpuSeconds, selfCpuSeconds } from './cpu';
import { BenchApp, metricSum, sleep } from './stack';

/** The consumer's index choice on this server (ActivityRepository.ensureIndexes), so the baseline pays the same. */
async function consumerIndexes(client: MongoClient): Promise<IndexDefinition[]> {
  const flavour = await serverFlavourOf(client.db());
  const mode = (process.env.MONGODB_READ_INDEXES ?? 'auto') as ReadIndexMode;
  return activityIndexes(READ_INDEX_MODES.includes(mode) ? mode : 'auto', flavour);
}

export interface InsertResult {
  /** The indexes the collection had, as the consumer would create them on this server. */
  indexes: string[];
  docs: number;
  seconds: number;
  docsPerSec: number;
  /** CPU seconds of the inserting (bench) process and of FerretDB, when its pid is known. */
  cpuSeconds?: number;
  databaseCpuSeconds?: number;
}

/**
 * Raw unordered insertMany of documents shaped as the consumer stores them (event + Kafka
 * coordinates + receivedAt), in batches of the consumer's flush size, `concurrency` batches at a
 * time (the consumer flushes each partition on its own).
 */
export async function baselineInsertMany(
  mongoUri: string,
  opts: { docs: number; batchSize: number; concurrency: number; topic: string },
  databasePid?: number,
): Promise<InsertResult> {
  const client = new MongoClient(mongoUri);
  try {
    const collection = client.db().collection('activities_raw_baseline');
    await collection.drop().catch(() => undefined);
    const indexes = await consumerIndexes(client);
    for (const { key, name, unique } of indexes)
      await collection.createIndex(key, { name, ...(unique ? { unique } : {}) });
    let next = 0;
    const started = performance.now();
    const cpuBefore = selfCpuSeconds();
    const dbBefore = databasePid ? cpuSeconds(databasePid) : 0;
    const loop = async (worker: number): Promise<void> => {
      while (next < opts.docs) {
        const from = next;
        const count = Math.min(opts.batchSize, opts.docs - from);
        next += count;
        const docs: Document[] = Array.from({ length: count }, (_, i) => ({
          ...fullEvent(from + i),
          kafka: { topic: opts.topic, partition: worker, offset: String(from + i) },
          receivedAt: new Date(),
        }));
        await collection.insertMany(docs, { ordered: false });
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => loop(w)));
    const seconds = (performance.now() - started) / 1000;
    return {
      indexes: indexes.map((i) => i.name),
      docs: opts.docs,
      seconds,
      docsPerSec: opts.docs / seconds,
      cpuSeconds: selfCpuSeconds() - cpuBefore,
      ...(databasePid ? { databaseCpuSeconds: cpuSeconds(databasePid) - dbBefore } : {}),
    };
  } finally {
    await client.close();
  }
}

export interface DrainResult extends Omit<InsertResult, 'indexes'> {
  /** Records the consumer had to store (the backlog, plus what an earlier phase left). */
  expected: number;
  /** From the consumer's start (spawn) to the last document: includes boot and group join. */
  wallSeconds: number;
  storedInDb: number;
  meanFlushSize: number;
  meanFlushMs: number;
  /** CPU seconds of the consumer (and of FerretDB, when its pid is known) in the timed window. */
  cpuSeconds: number;
  databaseCpuSeconds?: number;
}

const stored = (text: string): number =>
  metricSum(text, 'eyego_events_consumed_total', 'outcome="stored"');

/**
 * Times the consumer through a backlog of `expected` records. The rate is measured between the
 * first and the last observation of its stored-events counter (polled every 500 ms; cheap), so boot
 * time is excluded; the database is counted once at the end (countDocuments is not free on FerretDB).
 */
export async function drain(
  startConsumer: () => Promise<BenchApp>,
  mongoUri: string,
  expected: number,
  timeoutSeconds: number,
  progress: (line: string) => void,
  databasePid?: number,
): Promise<{ app: BenchApp; result: DrainResult }> {
  const spawnedAt = performance.now();
  const app = await startConsumer();
  const deadline = spawnedAt + timeoutSeconds * 1000;
  const cpu = () => ({
    app: cpuSeconds(app.pid),
    db: databasePid ? cpuSeconds(databasePid) : 0,
  });
  let first: { t: number; count: number; cpu: { app: number; db: number } } | undefined;
  const ready = { t: performance.now(), count: 0, cpu: cpu() };
  let last = ready;
  let lastReport = 0;
  while (last.count < expected && performance.now() < deadline) {
    await sleep(500);
    last = { t: performance.now(), count: stored(await app.metrics()), cpu: cpu() };
    if (!first && last.count > 0) first = last;
    if (last.t - lastReport > 10_000) {
      progress(`  drained ${last.count} / ${expected}`);
      lastReport = last.t;
    }
  }
  const text = await app.metrics();
  const storedInDb = await countDocs(mongoUri);
  // Drained before a second look: fall back to timing from the moment the app was ready.
  const start = first && first.t < last.t ? first : ready;
  const docs = last.count - start.count;
  const seconds = (last.t - start.t) / 1000;
  return {
    app,
    result: {
      expected,
      docs: last.count,
      seconds,
      docsPerSec: seconds > 0 ? docs / seconds : NaN,
      wallSeconds: (last.t - spawnedAt) / 1000,
      storedInDb,
      meanFlushSize: ratio(text, 'eyego_consumer_flush_size'),
      meanFlushMs: ratio(text, 'eyego_consumer_flush_duration_seconds') * 1000,
      cpuSeconds: last.cpu.app - start.cpu.app,
      ...(databasePid ? { databaseCpuSeconds: last.cpu.db - start.cpu.db } : {}),
    },
  };
}

const ratio = (text: string, histogram: string): number =>
  metricSum(text, `${histogram}_sum`) / metricSum(text, `${histogram}_count`);

async function countDocs(mongoUri: string): Promise<number> {
  const client = new MongoClient(mongoUri);
  try {
    return await client.db().collection('activities').countDocuments();
  } finally {
    await client.close();
  }
}

/** Waits until the consumer process has stored `expected` records; returns how long it took. */
export async function waitStored(app: BenchApp, expected: number, timeoutSeconds: number) {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < timeoutSeconds * 1000) {
    count = stored(await app.metrics());
    if (count >= expected) break;
    await sleep(500);
  }
  return { count, seconds: (performance.now() - started) / 1000 };
}
