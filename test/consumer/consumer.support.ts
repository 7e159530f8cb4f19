import { Kafka, logLevel } from 'kafkajs';
import { eventually, sleep } from '../support/app-process';
import { withMongo } from '../support/isolation';

export interface TestEvent {
  eventId: string;
  userId: string;
  activityType: string;
  timestamp: string;
  metadata: Record<string, unknown>;
}

/**
 * `count` events over `users` users with client-chosen ids and strictly increasing timestamps
 * (one millisecond apart, in the last hour), so per-user order can be checked after storage.
 */
export function makeEvents(
  prefix: string,
  count: number,
  users: number,
  start = Date.now() - 3_600_000,
): TestEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: `${prefix}-${String(i).padStart(6, '0')}`,
    userId: `${prefix}-user-${i % users}`,
    activityType: i % 7 === 0 ? 'login' : 'page_view',
    timestamp: new Date(start + i).toISOString(),
    metadata: { seq: i },
  }));
}

/**
 * POSTs the events to the producer API's batch endpoint, batches in order (optionally `pauseMs`
 * apart, to make a stream that lasts); every one must be 202.
 */
export async function publish(
  producerUrl: string,
  events: TestEvent[],
  batch = 500,
  pauseMs = 0,
): Promise<void> {
  for (let i = 0; i < events.length; i += batch) {
    if (i > 0 && pauseMs > 0) await sleep(pauseMs);
    const res = await fetch(`${producerUrl}/v1/activities/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(i, i + batch) }),
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`batch at ${i} answered ${res.status}: ${text}`);
  }
}

export const countStored = (mongoUri: string, filter: Record<string, unknown> = {}) =>
  withMongo(mongoUri, (c) => c.db().collection('activities').countDocuments(filter));

/** Waits until `expected` documents are stored (or the time is up) and returns the final count. */
export async function waitForStored(
  mongoUri: string,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  await eventually(async () => (await countStored(mongoUri)) >= expected, timeoutMs, 500);
  return countStored(mongoUri);
}

/** eventIds stored more than once (must be none: the unique index makes it impossible). */
export const duplicatedIds = (mongoUri: string) =>
  withMongo(mongoUri, async (c) => {
    const ids = await c
      .db()
      .collection('activities')
      .find({}, { projection: { _id: 0, eventId: 1 } })
      .toArray();
    const seen = new Set<string>();
    return ids.map((d) => String(d.eventId)).filter((id) => seen.has(id) || !seen.add(id));
  });

export interface RawRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  offset: string;
  partition: number;
}

/**
 * Reads every record of a topic from the beginning until `expected` records arrived (or the
 * predicate holds) or the time is up.
 */
export async function readTopic(
  brokers: string,
  topic: string,
  expected: number | ((records: RawRecord[]) => boolean),
  timeoutMs = 20_000,
): Promise<RawRecord[]> {
  const done = typeof expected === 'number' ? (r: RawRecord[]) => r.length >= expected : expected;
  const kafka = new Kafka({
    clientId: 'e2e-reader',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  });
  // read_committed, as every reader of the pipeline: a transaction's records or none of them.
  const consumer = kafka.consumer({
    groupId: `e2e-reader-${Date.now()}-${Math.random()}`,
    readUncommitted: false,
  });
  const records: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          if (v !== undefined) headers[k] = (Array.isArray(v) ? v[0] : v).toString();
        }
        records.push({
          key: message.key?.toString() ?? null,
          value: message.value,
          headers,
          offset: message.offset,
          partition,
        });
        return Promise.resolve();
      },
    });
    await eventually(() => Promise.resolve(done(records)), timeoutMs, 200);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Produces raw records straight to a topic, bypassing the API's validation. */
export async function produceRaw(
  brokers: string,
  topic: string,
  messages: { key: string; value: Buffer | string }[],
): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-raw', brokers: [brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}
