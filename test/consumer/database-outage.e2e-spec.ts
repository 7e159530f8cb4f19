import { AppProcess, freePort, sleep } from '../support/app-process';
import { KAFKA_BROKERS } from '../support/infra';
import { isolatedEnv } from '../support/isolation';
import { PrivateInfra } from '../support/private-infra';
import {
  duplicatedIds,
  makeEvents,
  publish,
  readTopic,
  waitForStored,
  countStored,
} from './consumer.support';

const EVENTS = 6000;

describe('the consumer through a database outage', () => {
  const iso = isolatedEnv('consumer-dbdown');
  let infra: PrivateInfra;
  let producer: AppProcess;
  let consumer: AppProcess;
  let mongoUri: string;

  beforeAll(async () => {
    // A FerretDB of this suite's own (the shared one is never stopped); Kafka is the shared one.
    infra = await PrivateInfra.create(`dbdown-${iso.label}`);
    await infra.start('ferretdb');
    mongoUri = infra.mongoUri(iso.dbName);
    const env = {
      ...iso.env,
      MONGODB_URI: mongoUri,
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '2000',
      // Backoff capped low so the test sees the recovery quickly; the policy is the same.
      CONSUMER_RETRY_BACKOFF_MAX_MS: '2000',
    };
    producer = new AppProcess('producer-api', await freePort(), env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), env, iso.label);
    await Promise.all([producer.start(), consumer.start()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop('SIGKILL')]);
    await infra?.destroy();
  });

  it('holds, then stores everything once when the database returns after 30 s, dead-lettering nothing', async () => {
    const events = makeEvents('dbdown', EVENTS, 30);
    await publish(producer.url, events.slice(0, 2000));
    expect(await waitForStored(mongoUri, 1, 30_000)).toBeGreaterThan(0);

    await infra.stop('ferretdb');
    // Load continues while the database is down: the API only needs Kafka.
    await publish(producer.url, events.slice(2000, 4000));
    await sleep(30_000);
    await infra.start('ferretdb');
    await publish(producer.url, events.slice(4000));

    expect(await waitForStored(mongoUri, EVENTS, 120_000)).toBe(EVENTS);
    expect(await duplicatedIds(mongoUri)).toEqual([]);
    expect(await readTopic(KAFKA_BROKERS, iso.dlqTopic, 1, 3000)).toEqual([]);
    const metrics = await (await fetch(`${consumer.url}/metrics`)).text();
    expect(metrics).toMatch(/eyego_events_consumed_total\{outcome="retried",group="[^"]+"\} [1-9]/);
    expect(metrics).not.toMatch(/eyego_dlq_records_total\{/);
    expect(await countStored(mongoUri, { userId: 'dbdown-user-0' })).toBe(EVENTS / 30);
  });
});
