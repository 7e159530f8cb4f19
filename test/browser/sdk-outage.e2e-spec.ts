import { ActivityClient } from '@app/client-sdk';
import { AppProcess, eventually, freePort, sleep } from '../support/app-process';
import { isolatedEnv, withMongo } from '../support/isolation';

describe('client SDK (Node): the producer API stopped for 10 s while it sends', () => {
  const iso = isolatedEnv('sdk-outage');
  let port: number;
  let api: AppProcess;
  let consumer: AppProcess;

  beforeAll(async () => {
    port = await freePort();
    api = new AppProcess('producer-api', port, iso.env, `${iso.label}-1`);
    consumer = new AppProcess('consumer', await freePort(), iso.env, iso.label);
    await Promise.all([api.start(), consumer.start()]);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('stores every event exactly once after the API returns', async () => {
    const client = new ActivityClient({
      endpoint: api.url,
      maxBatchSize: 10,
      flushIntervalMs: 100,
      baseBackoffMs: 200,
      maxBackoffMs: 2000,
      maxAttempts: 40,
    });
    const ids: string[] = [];
    const track = (n: number) => {
      for (let i = 0; i < n; i += 1) {
        ids.push(client.track({ userId: `outage-${i % 4}`, activityType: 'click' }));
      }
    };
    track(20);
    await client.flush();
    await api.stop();
    const down = Date.now();
    while (Date.now() - down < 10_000) {
      track(3);
      await sleep(500);
    }
    api = new AppProcess('producer-api', port, iso.env, `${iso.label}-2`);
    await api.start();
    const stats = await client.close();
    expect(stats).toEqual(
      expect.objectContaining({ acknowledged: ids.length, failed: 0, dropped: 0, queued: 0 }),
    );
    expect(stats.retries).toBeGreaterThan(0);

    const perId = await withMongo(iso.mongoUri, async (mongo) => {
      const col = mongo.db().collection('activities');
      await eventually(
        async () => (await col.countDocuments({ eventId: { $in: ids } })) >= ids.length,
        30_000,
      );
      await sleep(1000); // a duplicate, if any, had time to land
      return col
        .aggregate<{ _id: string; n: number }>([
          { $match: { eventId: { $in: ids } } },
          { $group: { _id: '$eventId', n: { $sum: 1 } } },
        ])
        .toArray();
    });
    expect(perId).toHaveLength(ids.length);
    expect(perId.filter((p) => p.n !== 1)).toEqual([]);
  });
});
