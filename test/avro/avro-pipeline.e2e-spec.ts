import { AVRO_CONTENT_TYPE, parseDlqEnvelope, originalValueOf } from '@app/contracts';
import { produceRaw, readTopic, waitForStored } from '../consumer/consumer.support';
import { AppProcess, freePort } from '../support/app-process';
import { postJson } from '../support/http';
import { KAFKA_BROKERS } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import { RegistryDouble } from './registry-double';

const SCHEMA_ID = 1;

/**
 * KAFKA_VALUE_FORMAT=avro with the schema pinned (SCHEMA_REGISTRY_STATIC_ID): no HTTP registry
 * runs here, so the Confluent REST client is covered by its unit spec against a test double.
 */
describe('the pipeline with Avro values (Confluent wire format)', () => {
  const iso = isolatedEnv('avro');
  const env = { ...iso.env, KAFKA_VALUE_FORMAT: 'avro', SCHEMA_REGISTRY_STATIC_ID: '1' };
  let producer: AppProcess;
  let consumer: AppProcess;

  beforeAll(async () => {
    producer = new AppProcess('producer-api', await freePort(), env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), env, iso.label);
    await Promise.all([producer.start(), consumer.start()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  const events = [
    {
      eventId: 'evt_avro_0001',
      userId: 'avro-u1',
      activityType: 'login',
      metadata: { ipAddress: '10.0.0.1' },
    },
    {
      eventId: 'evt_avro_0002',
      userId: 'avro-u2',
      activityType: 'page_view',
      metadata: { page: { path: '/a', n: 2 }, ok: true },
    },
    { eventId: 'evt_avro_0003', userId: 'avro-u1', activityType: 'logout', metadata: {} },
  ];

  it('stores events POSTed through the API, written to the topic as magic byte 0 + schema id + Avro', async () => {
    const one = await postJson(`${producer.url}/v1/activities`, events[0]);
    const batch = await postJson(`${producer.url}/v1/activities/batch`, {
      events: events.slice(1),
    });
    expect([one.status, batch.status]).toEqual([202, 202]);

    expect(await waitForStored(iso.mongoUri, 3, 30_000)).toBe(3);
    const stored = await withMongo(iso.mongoUri, (c) =>
      c
        .db()
        .collection('activities')
        .find({}, { projection: { _id: 0 } })
        .sort({ eventId: 1 })
        .toArray(),
    );
    expect(stored).toMatchObject(events.map((e) => ({ ...e, version: '1.0.0' })));

    const records = await readTopic(KAFKA_BROKERS, iso.topic, 3);
    expect(records).toHaveLength(3);
    for (const record of records) {
      const value = record.value ?? Buffer.alloc(0);
      expect(value[0]).toBe(0);
      expect(value.readUInt32BE(1)).toBe(SCHEMA_ID);
      expect(record.headers.contentType).toBe(AVRO_CONTENT_TYPE);
      // Binary, not JSON: the eventId is inside, but the bytes do not parse as JSON.
      expect(() => JSON.parse(value.toString('utf8')) as unknown).toThrow();
      expect(value.includes(Buffer.from(record.headers.eventId))).toBe(true);
    }
  });

  it('still stores JSON records (a topic switching format) and dead-letters undecodable bytes whole', async () => {
    const json = {
      ...events[0],
      eventId: 'evt_avro_json_01',
      timestamp: new Date().toISOString(),
      version: '1.0.0',
    };
    const unknownSchema = Buffer.from([0, 0, 0, 0, 42, 2, 0x61]);
    const wrongMagic = Buffer.from([7, 1, 2, 3, 4, 5]);
    await produceRaw(KAFKA_BROKERS, iso.topic, [
      { key: 'avro-u9', value: JSON.stringify(json) },
      { key: 'avro-u9', value: unknownSchema },
      { key: 'avro-u9', value: wrongMagic },
    ]);

    expect(await waitForStored(iso.mongoUri, 4, 30_000)).toBe(4);
    const dlq = await readTopic(KAFKA_BROKERS, iso.dlqTopic, 2, 30_000);
    const envelopes = dlq.map((r) => parseDlqEnvelope(r.value));
    expect(envelopes.map((e) => e?.error.code)).toEqual(['MALFORMED_MESSAGE', 'MALFORMED_MESSAGE']);
    expect(envelopes[0]?.error.message).toMatch(/schema id 42/);
    expect(envelopes[1]?.error.message).toMatch(/neither Avro .* nor JSON/);
    expect(envelopes.map((e) => (e ? originalValueOf(e) : null))).toEqual([
      unknownSchema,
      wrongMagic,
    ]);
  });

  it('refuses to start in Avro mode without a registry, naming the variables', async () => {
    const { KAFKA_VALUE_FORMAT } = env;
    const bare = new AppProcess(
      'consumer',
      await freePort(),
      { ...iso.env, KAFKA_VALUE_FORMAT },
      `${iso.label}-bare`,
    );
    const { code, log } = await bare.startExpectingExit(30_000);
    expect(code).toBe(1);
    expect(log).toMatch(/SCHEMA_REGISTRY_URL \/ SCHEMA_REGISTRY_STATIC_ID/);
  });
});

describe('the pipeline with Avro values and an HTTP schema registry (a test double)', () => {
  const iso = isolatedEnv('avro-registry');
  const registry = new RegistryDouble('sr-user:sr-secret');
  let producer: AppProcess;
  let consumer: AppProcess;

  beforeAll(async () => {
    const env = {
      ...iso.env,
      KAFKA_VALUE_FORMAT: 'avro',
      SCHEMA_REGISTRY_URL: await registry.start(),
      SCHEMA_REGISTRY_USERNAME: 'sr-user',
      SCHEMA_REGISTRY_PASSWORD: 'sr-secret',
    };
    producer = new AppProcess('producer-api', await freePort(), env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), env, iso.label);
    await Promise.all([producer.start(), consumer.start()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await registry.stop();
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('registers the schema under <topic>-value at producer boot and the consumer resolves its id', async () => {
    const res = await postJson(`${producer.url}/v1/activities`, {
      eventId: 'evt_avro_http_01',
      userId: 'avro-http-u1',
      activityType: 'login',
      metadata: { sessionId: 'sess_1' },
    });
    expect(res.status).toBe(202);
    expect(await waitForStored(iso.mongoUri, 1, 30_000)).toBe(1);
    const [record] = await readTopic(KAFKA_BROKERS, iso.topic, 1);
    expect(record.value?.readUInt32BE(1)).toBe(1);
    expect(registry.requests).toEqual([
      `POST /subjects/${encodeURIComponent(iso.topic)}-value/versions`,
      'GET /schemas/ids/1',
    ]);
  });
});
