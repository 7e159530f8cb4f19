import { AppProcess, eventually, freePort } from '../support/app-process';
import { IsolatedEnv, isolatedEnv, withMongo } from '../support/isolation';
import { countStored, duplicatedIds, makeEvents, publish, waitForStored } from './consumer.support';

// Short sessions so a SIGKILLed member is evicted in seconds, not the spec's 30 s.
const FAST_GROUP = { KAFKA_SESSION_TIMEOUT_MS: '8000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000' };
const EVENTS = 6000;

async function startPipeline(iso: IsolatedEnv, consumers: number) {
  const env = { ...iso.env, ...FAST_GROUP };
  const producer = new AppProcess('producer-api', await freePort(), env, iso.label);
  const started = [producer.start()];
  const list: AppProcess[] = [];
  for (let i = 0; i < consumers; i += 1) {
    const c = new AppProcess('consumer', await freePort(), env, iso.label);
    list.push(c);
    started.push(c.start());
  }
  await Promise.all(started);
  return { producer, consumers: list };
}

/**
 * Publishes in order, in the background, for several seconds (60 batches 50 ms apart), so the
 * consumers are acted on while the stream is still flowing.
 */
const sendInBackground = (url: string, prefix: string) =>
  publish(url, makeEvents(prefix, EVENTS, 40), 100, 50);

describe('the consumer across crashes and scaling', () => {
  const running: AppProcess[] = [];
  const databases: string[] = [];

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    for (const uri of databases) await withMongo(uri, (c) => c.db().dropDatabase());
  });

  it('stores every event exactly once after the consumer is killed with SIGKILL mid-stream', async () => {
    const iso = isolatedEnv('consumer-crash');
    databases.push(iso.mongoUri);
    const { producer, consumers } = await startPipeline(iso, 1);
    running.push(producer, ...consumers);
    const sending = sendInBackground(producer.url, 'crash');

    expect(await eventually(async () => (await countStored(iso.mongoUri)) >= 1000, 60_000)).toBe(
      true,
    );
    await consumers[0].stop('SIGKILL');
    const atKill = await countStored(iso.mongoUri);
    const restarted = new AppProcess(
      'consumer',
      consumers[0].port,
      { ...iso.env, ...FAST_GROUP },
      iso.label,
    );
    running.push(restarted);
    await restarted.start();
    await sending;

    expect(atKill).toBeLessThan(EVENTS);
    expect(await waitForStored(iso.mongoUri, EVENTS, 120_000)).toBe(EVENTS);
    expect(await duplicatedIds(iso.mongoUri)).toEqual([]);
  });

  it('hands partitions over when one of two instances stops, with nothing lost or stored twice', async () => {
    const iso = isolatedEnv('consumer-scale');
    databases.push(iso.mongoUri);
    const { producer, consumers } = await startPipeline(iso, 2);
    running.push(producer, ...consumers);
    const sending = sendInBackground(producer.url, 'scale');

    expect(await eventually(async () => (await countStored(iso.mongoUri)) >= 1000, 60_000)).toBe(
      true,
    );
    await consumers[1].stop('SIGTERM');
    const atStop = await countStored(iso.mongoUri);
    await sending;

    expect(atStop).toBeLessThan(EVENTS);
    expect(await waitForStored(iso.mongoUri, EVENTS, 120_000)).toBe(EVENTS);
    expect(await duplicatedIds(iso.mongoUri)).toEqual([]);
    // The survivor took over: it stored events from every partition of the topic.
    const partitions = await withMongo(iso.mongoUri, (c) =>
      c.db().collection('activities').distinct('kafka.partition'),
    );
    expect(partitions.sort()).toEqual([0, 1, 2]);
  });
});
