import { DlqEnvelope, originalValueOf } from '@app/contracts';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { KAFKA_BROKERS } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import {
  countStored,
  duplicatedIds,
  makeEvents,
  produceRaw,
  publish,
  readTopic,
  waitForStored,
} from './consumer.support';

describe('the consumer storing events', () => {
  const iso = isolatedEnv('consumer-ingest');
  let producer: AppProcess;
  let consumer: AppProcess;

  beforeAll(async () => {
    producer = new AppProcess('producer-api', await freePort(), iso.env, iso.label);
    consumer = new AppProcess(
      'consumer',
      await freePort(),
      { ...iso.env, CONSUMER_LAG_INTERVAL_MS: '1000', ANALYTICS_FAILED_LOGIN_THRESHOLD: '3' },
      iso.label,
    );
    await Promise.all([producer.start(), consumer.start()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('stores 10,000 events sent through the API exactly once, keeping each user’s order', async () => {
    const events = makeEvents('ing', 10_000, 50);
    await publish(producer.url, events);

    expect(await waitForStored(iso.mongoUri, 10_000, 120_000)).toBe(10_000);
    expect(await duplicatedIds(iso.mongoUri)).toEqual([]);
    const docs = await withMongo(iso.mongoUri, (c) =>
      c
        .db()
        .collection<{ userId: string; kafka: { partition: number; offset: string } }>('activities')
        .find({}, { projection: { _id: 0, userId: 1, timestamp: 1, kafka: 1 } })
        .sort({ userId: 1, timestamp: 1 })
        .toArray(),
    );
    const outOfOrder = docs.filter((d, i) => {
      const prev = docs[i - 1];
      if (!prev || prev.userId !== d.userId) return false;
      return (
        prev.kafka.partition !== d.kafka.partition ||
        BigInt(prev.kafka.offset) >= BigInt(d.kafka.offset)
      );
    });
    expect(outOfOrder).toEqual([]);

    // Flushes are bulk inserts: far fewer database round trips than events.
    const metrics = await (await fetch(`${consumer.url}/metrics`)).text();
    const flushes = Number(/eyego_consumer_flush_size_count\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    expect(flushes).toBeGreaterThan(0);
    expect(flushes).toBeLessThan(10_000 / 5);
    expect(metrics).toContain(
      `eyego_events_consumed_total{outcome="stored",group="${iso.groupId}"} 10000`,
    );

    // Everything committed: the group's lag, as the gauge reports it, drops to zero everywhere.
    const lagZero = await eventually(async () => {
      const text = await (await fetch(`${consumer.url}/metrics`)).text();
      const lags = [...text.matchAll(/^eyego_consumer_lag\{[^}]*\} (\d+)$/gm)].map((m) => m[1]);
      return lags.length === 3 && lags.every((l) => l === '0');
    }, 30_000);
    expect(lagZero).toBe(true);
  });

  it('forwards stored logins to the analytics topic and flags repeated failed logins', async () => {
    const base = Date.now() - 60_000;
    const events = [0, 1, 2].map((i) => ({
      eventId: `evt_failed_${i}_analytics`,
      userId: 'suspect',
      activityType: 'login_failed',
      timestamp: new Date(base + i * 1000).toISOString(),
      metadata: {},
    }));
    await publish(producer.url, events);
    const analyticsTopic = `${iso.prefix}user-activity-analytics`;
    const records = await readTopic(
      KAFKA_BROKERS,
      analyticsTopic,
      (seen) => seen.some((r) => r.value?.toString().includes('"kind":"alert"')),
      30_000,
    );
    const values = records.map((r) => JSON.parse(r.value!.toString()) as Record<string, unknown>);
    const alerts = values.filter((v) => v.kind === 'alert');
    expect(alerts).toEqual([
      expect.objectContaining({
        rule: 'repeated_login_failed',
        userId: 'suspect',
        count: 3,
        eventIds: events.map((e) => e.eventId),
      }),
    ]);
    // The projection of the stored events (logins of the first test included), without metadata.
    const projected = values.filter((v) => v.kind === 'event' && v.userId === 'suspect');
    expect(projected).toHaveLength(3);
    expect(projected.every((v) => v.metadata === undefined)).toBe(true);
  });

  it('dead-letters a non-JSON record and an invalid event with their codes and bytes, and keeps going', async () => {
    const notJson = Buffer.from([0x7b, 0x6e, 0x6f, 0x74, 0x20, 0xff, 0xfe, 0x00, 0x6a]);
    const invalid = JSON.stringify({
      eventId: 'evt_invalid_0001',
      userId: 'dlq-user',
      activityType: 'teleport',
      timestamp: new Date().toISOString(),
      metadata: {},
      version: '1.0.0',
    });
    const future = JSON.stringify({
      ...JSON.parse(invalid),
      activityType: 'login',
      version: '2.0.0',
    });
    await produceRaw(KAFKA_BROKERS, iso.topic, [
      { key: 'dlq-user', value: notJson },
      { key: 'dlq-user', value: invalid },
      { key: 'dlq-user', value: future },
    ]);
    const [after] = makeEvents('after-dlq', 1, 1);
    await publish(producer.url, [{ ...after, userId: 'dlq-user' }]);

    // The valid event behind the bad ones is stored: the partition did not stall.
    expect(
      await eventually(
        async () => (await countStored(iso.mongoUri, { eventId: after.eventId })) === 1,
        30_000,
      ),
    ).toBe(true);
    const dlq = await readTopic(KAFKA_BROKERS, iso.dlqTopic, 3);
    expect(dlq).toHaveLength(3);
    const byCode = new Map(dlq.map((r) => [r.headers.errorCode, r]));
    expect([...byCode.keys()].sort()).toEqual([
      'MALFORMED_MESSAGE',
      'UNSUPPORTED_SCHEMA_VERSION',
      'VALIDATION_ERROR',
    ]);
    const originals = new Map([
      ['MALFORMED_MESSAGE', notJson],
      ['VALIDATION_ERROR', Buffer.from(invalid)],
      ['UNSUPPORTED_SCHEMA_VERSION', Buffer.from(future)],
    ]);
    for (const [code, record] of byCode) {
      const envelope = JSON.parse(record.value!.toString()) as DlqEnvelope;
      expect(envelope.error).toMatchObject({ code, retryCount: 0 });
      expect(record.key).toBe('dlq-user');
      expect(record.headers.originalTopic).toBe(iso.topic);
      expect(record.headers.originalPartition).toMatch(/^[0-2]$/);
      expect(record.headers.originalOffset).toMatch(/^\d+$/);
      expect(originalValueOf(envelope).equals(originals.get(code)!)).toBe(true);
    }
    expect(await countStored(iso.mongoUri, { userId: 'dlq-user' })).toBe(1);
  });
});
