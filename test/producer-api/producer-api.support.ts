import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { JsonResponse } from '../support/http';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string;
  value: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning with a throw-away group until `count` records arrived. */
export async function readTopic(
  brokers: string,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<TopicRecord[]> {
  const kafka = new Kafka({
    clientId: 'e2e-reader',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  });
  // read_committed, as every reader of the pipeline: a transaction's records or none of them.
  const consumer = kafka.consumer({
    groupId: `e2e-reader-${randomBytes(4).toString('hex')}`,
    readUncommitted: false,
  });
  const records: TopicRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} of ${count} records from ${topic}`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            records.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? '',
              value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>,
              headers,
            });
            if (records.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Records on the topic: the sum of its partitions' high watermarks (nothing is deleted yet). */
export async function countRecords(brokers: string, topic: string): Promise<number> {
  const kafka = new Kafka({
    clientId: 'e2e-count',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

let sequence = 0;
/** A valid event for `userId`; `extra` overrides or adds fields. */
export function anEvent(
  userId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  sequence += 1;
  return {
    userId,
    activityType: 'page_view',
    metadata: { ipAddress: '10.0.0.1', sessionId: `sess_${sequence}`, path: `/p/${sequence}` },
    ...extra,
  };
}

/** Asserts the one problem+json shape every error has, and returns the body for more checks. */
export function expectProblem(
  res: JsonResponse<Record<string, unknown>>,
  status: number,
  code: string,
): Record<string, unknown> {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https:\/\/eyego\.dev\/problems\/[a-z-]+$/) as unknown,
      title: expect.any(String) as unknown,
      status,
      code,
      detail: expect.any(String) as unknown,
      requestId: res.headers.get('x-request-id'),
    }),
  );
  const allowed = ['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId', 'errors'];
  expect(Object.keys(res.body).filter((k) => !allowed.includes(k))).toEqual([]);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
  return res.body;
}

/** POSTs raw bytes with a given content type (postJson always sends JSON). */
export async function postRaw(
  url: string,
  body: string | Buffer,
  contentType: string | undefined,
  headers: Record<string, string> = {},
): Promise<JsonResponse<Record<string, unknown>>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}
