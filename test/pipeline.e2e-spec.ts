import { AppProcess, eventually, freePort } from './support/app-process';
import { postJson } from './support/http';
import { isolatedEnv, withMongo } from './support/isolation';

describe('the pipeline, end to end', () => {
  const iso = isolatedEnv('pipeline');
  let producer: AppProcess;
  let consumer: AppProcess;

  beforeAll(async () => {
    producer = new AppProcess('producer-api', await freePort(), iso.env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), iso.env, iso.label);
    await Promise.all([producer.start(), consumer.start()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('stores an event POSTed to the producer API in the database, found by querying it', async () => {
    const sent = {
      userId: 'user123',
      activityType: 'login',
      metadata: { ipAddress: '192.168.1.1', sessionId: 'sess_abc123' },
    };
    const res = await postJson<{
      eventId: string;
      topic: string;
      partition: number;
      offset: string;
    }>(`${producer.url}/v1/activities`, sent);
    expect(res.status).toBe(202);
    expect(res.body.topic).toBe(iso.topic);
    expect(res.body.eventId).toMatch(/^evt_[0-9A-Z]{26}$/);

    const stored = await withMongo(iso.mongoUri, async (client) => {
      const col = client.db().collection('activities');
      const found = await eventually(
        async () => (await col.countDocuments({ eventId: res.body.eventId })) === 1,
        30_000,
      );
      return found ? col.findOne({ eventId: res.body.eventId }, { projection: { _id: 0 } }) : null;
    });
    expect(stored).toMatchObject({
      ...sent,
      eventId: res.body.eventId,
      version: '1.0.0',
      kafka: { topic: iso.topic, partition: res.body.partition, offset: res.body.offset },
    });
  });
});
