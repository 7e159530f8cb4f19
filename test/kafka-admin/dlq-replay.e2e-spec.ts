import { Admin, Kafka } from 'kafkajs';
import { newEventId, resolveTopicSpecs, toActivityRecord } from '@app/contracts';
import { DlqReader, dlqCodeOf, readGroupLag } from '@app/kafka-admin';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { isolatedEnv, withMongo } from '../support/isolation';
import { deleteTopicsWithPrefix, kafka, kafkaAdminJson } from './kafka-admin.support';

// A type the consumer does not know until it is configured: the "cause" of the dead letter.
const NEW_TYPE = 'hologram_call';

describe('DLQ replay (issue 6)', () => {
  const iso = isolatedEnv('dlq-replay');
  const specs = resolveTopicSpecs({ prefix: iso.prefix });
  let client: Kafka;
  let admin: Admin;
  let consumer: AppProcess | undefined;

  const startConsumer = async (extra: Record<string, string> = {}) => {
    consumer = new AppProcess('consumer', await freePort(), { ...iso.env, ...extra }, iso.label);
    await consumer.start();
  };
  const storedCount = (eventId: string) =>
    withMongo(iso.mongoUri, (c) => c.db().collection('activities').countDocuments({ eventId }));
  const dlqRecords = () => new DlqReader(client, admin, specs.deadLetter.name).read();
  /** True once the consumer group has committed everything on the main topic. */
  const caughtUp = async () => {
    const lag = await readGroupLag(admin, iso.groupId, [specs.activity.name]);
    return lag.some((p) => p.committedOffset !== null) && lag.every((p) => p.lag === '0');
  };
  const replay = () =>
    kafkaAdminJson<{ replayed: number }>(['dlq', 'replay', '--code', 'VALIDATION_ERROR'], iso.env);

  beforeAll(async () => {
    client = kafka('e2e-dlq-replay');
    admin = client.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await consumer?.stop();
    await admin?.disconnect();
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
    await deleteTopicsWithPrefix(iso.prefix);
  });

  it('stores a dead-lettered event exactly once after its cause is fixed, however often it is replayed', async () => {
    await startConsumer();
    const event = {
      eventId: newEventId(),
      userId: 'user-replay',
      activityType: NEW_TYPE,
      timestamp: new Date().toISOString(),
      metadata: { ipAddress: '192.168.1.1' },
      version: '1.0.0',
    };
    // Straight to the topic: the API would refuse the unknown type before it reached Kafka.
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: specs.activity.name,
      acks: -1,
      messages: [toActivityRecord(event, { source: 'e2e', correlationId: 'replay-1' })],
    });
    await producer.disconnect();

    let dead: Awaited<ReturnType<typeof dlqRecords>> = [];
    expect(
      await eventually(async () => (dead = await dlqRecords()).length === 1, 60_000, 500),
    ).toBe(true);
    expect(dlqCodeOf(dead[0])).toBe('VALIDATION_ERROR');
    expect(dead[0].envelope?.eventId).toBe(event.eventId);
    expect(await storedCount(event.eventId)).toBe(0);

    // The cause is fixed: the consumer now knows the type.
    await consumer?.stop();
    await startConsumer({ ACTIVITY_TYPES_EXTRA: NEW_TYPE });

    expect((await replay()).replayed).toBe(1);
    expect(await eventually(async () => (await storedCount(event.eventId)) === 1, 60_000)).toBe(
      true,
    );
    const stored = await withMongo(iso.mongoUri, (c) =>
      c.db().collection('activities').findOne({ eventId: event.eventId }),
    );
    expect(stored).toMatchObject({
      userId: event.userId,
      activityType: NEW_TYPE,
      timestamp: event.timestamp,
    });

    // A second replay reaches the consumer, which recognises the eventId: still one document.
    expect((await replay()).replayed).toBe(1);
    expect(await eventually(caughtUp, 60_000)).toBe(true);
    const ends = await admin.fetchTopicOffsets(specs.activity.name);
    expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(3);
    expect(await storedCount(event.eventId)).toBe(1);
    expect(await dlqRecords()).toHaveLength(1);
  });
});
