import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess, eventually, freePort, sleep } from '../support/app-process';
import { getJson, postJson } from '../support/http';
import { withMongo } from '../support/isolation';
import { PrivateInfra } from '../support/private-infra';
import { describeGroup } from './consumer-group-command';
import { lagByPartition, scrape, total } from './prom-text';

interface HealthBody {
  status: 'ok' | 'error';
  details: Record<string, { status: 'up' | 'down'; message?: string }>;
}

const ready = (app: AppProcess) => getJson<HealthBody>(`${app.url}/health/ready`);
const event = (i: number) => ({ userId: `ops-user-${i}`, activityType: 'login', metadata: { i } });

/** Polls liveness in the background and remembers every answer that was not 200. */
function watchLiveness(apps: AppProcess[]): { stop: () => Promise<string[]> } {
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const app of apps) {
        const res = await fetch(`${app.url}/health/live`).catch((e: Error) => e);
        if (res instanceof Error || res.status !== 200)
          failures.push(`${app.name}: ${res instanceof Error ? res.message : res.status}`);
      }
      await sleep(250);
    }
  })();
  return { stop: async () => ((running = false), await loop, failures) };
}

async function postAll(producer: AppProcess, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const res = await postJson(`${producer.url}/v1/activities`, event(i));
    expect(res.status).toBe(202);
  }
}

// Stops and restarts a private broker and database; the shared ones are never touched.
describe('health probes and the lag metric through broker and database outages', () => {
  const label = `ops-health-${randomBytes(3).toString('hex')}`;
  const db = 'ops_health';
  let infra: PrivateInfra;
  let producer: AppProcess;
  let consumer: AppProcess;
  let groupId: string;

  const storedCount = () =>
    withMongo(infra.mongoUri(db), (c) => c.db().collection('activities').countDocuments());

  beforeAll(async () => {
    infra = await PrivateInfra.create(label);
    await infra.start();
    groupId = `${label}-group`;
    const env = {
      ...infra.appEnv(db),
      KAFKA_GROUP_ID: groupId,
      CONSUMER_LAG_INTERVAL_MS: '300',
      LOG_LEVEL: 'log',
    };
    producer = new AppProcess('producer-api', await freePort(), env, label);
    consumer = new AppProcess('consumer', await freePort(), env, label);
    await Promise.all([producer.start(), consumer.start()]);
    await postAll(producer, 0, 12);
    expect(await eventually(async () => (await storedCount()) === 12, 30_000)).toBe(true);
    const drained = async () => total(await scrape(consumer.url), 'eyego_consumer_lag') === 0;
    expect(await eventually(drained, 30_000)).toBe(true);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await infra?.destroy();
  });

  it('consumer readiness goes 503 naming mongodb within 5 s of the database stopping; liveness stays 200', async () => {
    const liveness = watchLiveness([producer, consumer]);
    await infra.stop('ferretdb');
    const down = await eventually(async () => {
      const res = await ready(consumer);
      return res.status === 503 && res.body.details.mongodb?.status === 'down';
    }, 5000);
    expect(down).toBe(true);
    const res = await ready(consumer);
    expect(res.body.details.kafka.status).toBe('up');
    expect((await ready(producer)).status).toBe(200);
    expect(await liveness.stop()).toEqual([]);
  });

  it("reports a lag equal to Kafka's ConsumerGroupCommand while the backlog cannot be stored", async () => {
    // The database is down: the consumer reads but cannot store, so nothing is committed and the
    // backlog stays exactly where it is while both are read.
    await postAll(producer, 100, 9);
    const backlogReached = async () =>
      total(await scrape(consumer.url), 'eyego_consumer_lag') === 9;
    expect(await eventually(backlogReached, 30_000)).toBe(true);

    const before = lagByPartition(await scrape(consumer.url));
    const rows = await describeGroup(infra.brokers, groupId);
    const after = lagByPartition(await scrape(consumer.url));
    expect(after).toEqual(before);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      // Kafka prints "-" for a partition the group never committed; the metric then counts
      // everything retained, i.e. the log end offset of this fresh topic.
      const expected = row.lag ?? row.logEndOffset;
      expect({ partition: row.partition, lag: before[`${row.topic}/${row.partition}`] }).toEqual({
        partition: row.partition,
        lag: expected,
      });
    }
    expect(rows.reduce((sum, r) => sum + (r.lag ?? r.logEndOffset), 0)).toBe(9);
  });

  it('consumer readiness is back to 200 within 5 s of the database returning, and the backlog is stored once', async () => {
    await infra.start('ferretdb');
    expect(await eventually(async () => (await ready(consumer)).status === 200, 5000)).toBe(true);
    expect(await eventually(async () => (await storedCount()) === 21, 60_000)).toBe(true);
    const drained = async () => total(await scrape(consumer.url), 'eyego_consumer_lag') === 0;
    expect(await eventually(drained, 30_000)).toBe(true);
    expect(await storedCount()).toBe(21);
  });

  it('answers readiness within a probe timeout while the database hangs, and recovers when it resumes', async () => {
    // SIGSTOP: connections stay open but nothing answers, the worst case for a probe.
    const pidFile = join(infra.scriptEnv.INFRA_RUN, 'ferretdb', 'ferretdb.pid');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // 3 s is the readiness probe's timeoutSeconds in deploy/k8s: a slower answer counts as failed.
    const probe = async () => {
      const res = await fetch(`${consumer.url}/health/ready`, {
        signal: AbortSignal.timeout(3000),
      });
      return { status: res.status, body: (await res.json()) as HealthBody };
    };
    process.kill(pid, 'SIGSTOP');
    try {
      const named = async () => {
        const { status, body } = await probe();
        return status === 503 && /did not answer/.test(body.details.mongodb?.message ?? '');
      };
      expect(await eventually(named, 10_000)).toBe(true);
      for (let i = 0; i < 2; i++) expect((await probe()).status).toBe(503);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await eventually(async () => (await probe()).status === 200, 5000)).toBe(true);
  });

  it('readiness of both apps goes 503 naming kafka within 5 s of the broker stopping; liveness stays 200', async () => {
    const liveness = watchLiveness([producer, consumer]);
    await infra.stop('kafka');
    const kafkaDown = (app: AppProcess) => async () => {
      const res = await ready(app);
      return res.status === 503 && res.body.details.kafka?.status === 'down';
    };
    const [producerDown, consumerDown] = await Promise.all([
      eventually(kafkaDown(producer), 5000),
      eventually(kafkaDown(consumer), 5000),
    ]);
    expect({ producerDown, consumerDown }).toEqual({ producerDown: true, consumerDown: true });
    // An event sent now is refused with 503 and counted as failed: what EyegoProducerUnavailable watches.
    expect((await postJson(`${producer.url}/v1/activities`, event(300))).status).toBe(503);
    const m = await scrape(producer.url);
    expect(
      total(m, 'eyego_events_produced_total', { outcome: 'failed', code: 'BROKER_UNAVAILABLE' }),
    ).toBe(1);
    expect(total(m, 'eyego_http_requests_total', { route: '/v1/activities', status: '503' })).toBe(
      1,
    );
    expect(await liveness.stop()).toEqual([]);
  });

  it('readiness of both apps is back to 200 within 5 s of the broker returning', async () => {
    await infra.start('kafka');
    // The consumer keeps its group member id across kafkajs' restarts (member-id-carry-over.ts):
    // as a new member it would wait for the old one's session to expire (30 s).
    const backUp = (app: AppProcess) => async () => (await ready(app)).status === 200;
    const [producerUp, consumerUp] = await Promise.all([
      eventually(backUp(producer), 5000),
      eventually(backUp(consumer), 5000),
    ]);
    expect({ producerUp, consumerUp }).toEqual({ producerUp: true, consumerUp: true });
    await postAll(producer, 200, 3);
    expect(await eventually(async () => (await storedCount()) === 24, 30_000)).toBe(true);
  });
});
