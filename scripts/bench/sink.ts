import { Collection, Document, MongoClient } from 'mongodb';
import {
  IndexDefinition,
  READ_INDEX_MODES,
  ReadIndexMode,
  activityIndexes,
  serverFlavourOf,
} from '@app/activity-store';
import { fullEvent } from './events';
import { benchKafka } from './kafka-baseline';
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
  /** Documents the collection held before the timed inserts (as many as the consumer's). */
  startSize: number;
  seconds: number;
  docsPerSec: number;
  /** CPU seconds of the inserting (bench) process and of FerretDB, when its pid is known. */
  cpuSeconds?: number;
  databaseCpuSeconds?: number;
}

const BASELINE_COLLECTION = 'activities_raw_baseline';

/** The document the consumer would store for event i of a partition (_id is the eventId). */
function storedShape(i: number, topic: string, partition: number): Document {
  const event = fullEvent(i);
  return {
    _id: event.eventId,
    ...event,
    kafka: { topic, partition, offset: String(i) },
    receivedAt: new Date(),
  };
}

/** Unordered insertMany of `docs` documents, `batchSize` per call, `concurrency` calls at a time. */
async function insertAll(
  collection: Collection,
  opts: { docs: number; batchSize: number; concurrency: number; topic: string },
): Promise<void> {
  let next = 0;
  const loop = async (worker: number): Promise<void> => {
    while (next < opts.docs) {
      const from = next;
      const count = Math.min(opts.batchSize, opts.docs - from);
      next += count;
      const docs = Array.from({ length: count }, (_, i) =>
        storedShape(from + i, opts.topic, worker),
      );
      await collection.insertMany(docs, { ordered: false });
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => loop(w)));
}

/**
 * A collection with the consumer's indexes holding `startSize` documents: kept between pairs and
 * topped up, untimed (dropped first if it holds more).
 */
async function collectionOfSize(
  client: MongoClient,
  name: string,
  opts: { startSize: number; batchSize: number; concurrency: number; topic: string },
): Promise<{ collection: Collection; indexes: IndexDefinition[] }> {
  const collection = client.db().collection(name);
  const indexes = await consumerIndexes(client);
  let size = await collection.countDocuments();
  if (size > opts.startSize) {
    await collection.drop();
    size = 0;
  }
  for (const { key, name: index, unique } of indexes)
    await collection.createIndex(key, { name: index, ...(unique ? { unique } : {}) });
  if (size < opts.startSize) await insertAll(collection, { ...opts, docs: opts.startSize - size });
  return { collection, indexes };
}

/**
 * Raw unordered insertMany of documents shaped as the consumer stores them (event + Kafka
 * coordinates + receivedAt, the eventId as _id), in batches of the consumer's flush size,
 * `concurrency` batches at a time (the consumer flushes each partition on its own), into a
 * collection holding as many documents as the consumer's does when its drain starts
 * (`startSize`): an insert into FerretDB's SQLite tables slows down as they grow (README
 * "The drain, a third look"), so an empty collection would not be the same work. The collection
 * is kept between pairs and topped up, untimed, to `startSize` first.
 */
export async function baselineInsertMany(
  mongoUri: string,
  opts: { docs: number; batchSize: number; concurrency: number; topic: string; startSize: number },
  databasePid?: number,
): Promise<InsertResult> {
  const client = new MongoClient(mongoUri);
  try {
    const { collection, indexes } = await collectionOfSize(client, BASELINE_COLLECTION, opts);
    const started = performance.now();
    const cpuBefore = selfCpuSeconds();
    const dbBefore = databasePid ? cpuSeconds(databasePid) : 0;
    await insertAll(collection, opts);
    const seconds = (performance.now() - started) / 1000;
    return {
      indexes: indexes.map((i) => i.name),
      docs: opts.docs,
      startSize: opts.startSize,
      seconds,
      docsPerSec: opts.docs / seconds,
      cpuSeconds: selfCpuSeconds() - cpuBefore,
      ...(databasePid ? { databaseCpuSeconds: cpuSeconds(databasePid) - dbBefore } : {}),
    };
  } finally {
    await client.close();
  }
}

const RAW_DRAIN_COLLECTION = 'activities_raw_drain';

/** Where a pair's backlog starts: the topic's end offsets before it was produced. */
export async function endOffsets(brokers: string, topic: string): Promise<PartitionOffset[]> {
  const admin = benchKafka(brokers).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
  } finally {
    await admin.disconnect();
  }
}

export interface PartitionOffset {
  partition: number;
  offset: string;
}

/**
 * The least a consumer can do, as a reference for the drain (not its target's baseline): a kafkajs
 * consumer group of its own reads the pair's backlog (`from`) with eachBatch, three partitions at a
 * time, parses each value, inserts the documents the consumer would store (unordered, `batchSize`
 * at a time) and commits after each insert. No validation, dead-lettering, analytics, retries,
 * metrics or Nest: the gap between this and our drain is what those cost on these cores. Into a
 * collection of its own, as large as the consumer's (see baselineInsertMany).
 */
export async function rawKafkaDrain(
  brokers: string,
  mongoUri: string,
  opts: {
    docs: number;
    batchSize: number;
    concurrency: number;
    topic: string;
    startSize: number;
    from: PartitionOffset[];
    timeoutSeconds: number;
  },
  databasePid?: number,
): Promise<Omit<InsertResult, 'indexes'>> {
  const client = new MongoClient(mongoUri);
  // Named after the run's topic, so the bench's cleanup deletes it with the run's other groups.
  const groupId = `${opts.topic}.raw-drain-${opts.startSize}`;
  const kafka = benchKafka(brokers);
  const admin = kafka.admin();
  // kafkajs's default fetch sizes (1 MiB per partition), as a hand-written consumer would have
  // them; the consumer fetches 32 KiB per partition for its memory (README "Fetch size and the
  // consumer's memory").
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  try {
    const { collection } = await collectionOfSize(client, RAW_DRAIN_COLLECTION, opts);
    await admin.connect();
    await admin.setOffsets({ groupId, topic: opts.topic, partitions: opts.from });
    let stored = 0;
    let first: { t: number; cpu: number; db: number } | undefined;
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.connect();
    await consumer.subscribe({ topics: [opts.topic] });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: opts.concurrency,
      eachBatch: async (payload) => {
        const { batch } = payload;
        first ??= {
          t: performance.now(),
          cpu: selfCpuSeconds(),
          db: databasePid ? cpuSeconds(databasePid) : 0,
        };
        for (let i = 0; i < batch.messages.length; i += opts.batchSize) {
          const chunk = batch.messages.slice(i, i + opts.batchSize);
          const docs = chunk.map((m): Document => {
            const event = JSON.parse(String(m.value)) as { eventId: string };
            const kafka = { topic: batch.topic, partition: batch.partition, offset: m.offset };
            return { _id: event.eventId, ...event, kafka, receivedAt: new Date() };
          });
          await collection.insertMany(docs, { ordered: false });
          const next = (BigInt(chunk[chunk.length - 1].offset) + 1n).toString();
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: next },
          ]);
          await payload.heartbeat();
          stored += chunk.length;
          if (stored >= opts.docs) done();
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`raw drain: ${stored} of ${opts.docs} after ${opts.timeoutSeconds} s`),
            ),
          opts.timeoutSeconds * 1000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const start = first ?? { t: performance.now(), cpu: selfCpuSeconds(), db: 0 };
    const seconds = (performance.now() - start.t) / 1000;
    return {
      docs: stored,
      startSize: opts.startSize,
      seconds,
      docsPerSec: stored / seconds,
      cpuSeconds: selfCpuSeconds() - start.cpu,
      ...(databasePid ? { databaseCpuSeconds: cpuSeconds(databasePid) - start.db } : {}),
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await client.close();
  }
}

export interface DrainResult extends Omit<InsertResult, 'indexes' | 'startSize'> {
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
