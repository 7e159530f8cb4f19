import { AppProcess, eventually, freePort, sleep } from '../support/app-process';
import { postJson } from '../support/http';
import { isolatedEnv } from '../support/isolation';
import { PrivateInfra } from '../support/private-infra';
import { anEvent, countRecords, expectProblem, readTopic } from './producer-api.support';

type Body = Record<string, unknown>;

const SEND_TIMEOUT_MS = 2000;
/** The answer must come within the send timeout plus scheduling slack on a busy 2-core box. */
const BOUND_MS = SEND_TIMEOUT_MS + 1500;

/** Steady load: one POST at a time, every answer recorded with its latency. */
class Load {
  readonly accepted = new Set<string>();
  readonly unavailable: { ms: number; retryAfter: string | null; code: unknown }[] = [];
  readonly other: number[] = [];
  private running = true;
  private done?: Promise<void>;
  private n = 0;

  constructor(private readonly url: string) {}

  start(): this {
    this.done = (async () => {
      while (this.running) {
        this.n += 1;
        const eventId = `outage-${this.n}-${Date.now()}`;
        const started = Date.now();
        const res = await postJson<Body>(this.url, anEvent(`u${this.n % 7}`, { eventId }));
        if (res.status === 202) this.accepted.add(eventId);
        else if (res.status === 503)
          this.unavailable.push({
            ms: Date.now() - started,
            retryAfter: res.headers.get('retry-after'),
            code: res.body.code,
          });
        else this.other.push(res.status);
        await sleep(20);
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

describe('producer API through a broker outage (private Kafka)', () => {
  const iso = isolatedEnv('broker-outage');
  let infra: PrivateInfra;
  let api: AppProcess;
  const one = () => `${api.url}/v1/activities`;

  beforeAll(async () => {
    infra = await PrivateInfra.create(iso.label);
  });
  afterAll(async () => {
    await api?.stop();
    await infra?.destroy();
  });

  it('starts while Kafka is down: live but not ready, and answers 503 within the bound', async () => {
    api = new AppProcess(
      'producer-api',
      await freePort(),
      {
        ...iso.env,
        KAFKA_BROKERS: infra.brokers,
        PRODUCER_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
        KAFKA_CONNECTION_TIMEOUT_MS: '1000',
      },
      iso.label,
    );
    await expect(api.start(8000)).rejects.toThrow(/not ready/);
    expect(api.exitCode).toBeNull();
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(503);
    const started = Date.now();
    const res = await postJson<Body>(one(), anEvent('u1'));
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expectProblem(res, 503, 'BROKER_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('5');
  });

  it('becomes ready and accepts events once Kafka starts, without a restart', async () => {
    await infra.start('kafka');
    expect(await eventually(async () => (await fetch(`${api.url}/health/ready`)).ok, 60_000)).toBe(
      true,
    );
    expect(
      await eventually(async () => (await postJson(one(), anEvent('u1'))).status === 202, 30_000),
    ).toBe(true);
  });

  it('answers 503 within the bound while the broker is down, recovers after it returns, and loses no 202', async () => {
    const load = new Load(one()).start();
    await sleep(3000);
    const beforeKill = load.accepted.size;
    await infra.stop('kafka', true); // kill -9
    expect(await eventually(async () => load.unavailable.length >= 3, 30_000)).toBe(true);
    await sleep(5000);
    await infra.start('kafka');
    const downCount = load.unavailable.length;
    const afterRestart = load.accepted.size;
    expect(await eventually(async () => load.accepted.size >= afterRestart + 20, 90_000)).toBe(
      true,
    );
    await load.stop();

    expect(beforeKill).toBeGreaterThan(0);
    expect(load.other).toEqual([]);
    expect(load.unavailable.filter((u) => u.ms >= BOUND_MS)).toEqual([]);
    expect(load.unavailable.every((u) => u.retryAfter === '5')).toBe(true);
    expect(load.unavailable.every((u) => u.code === 'BROKER_UNAVAILABLE')).toBe(true);
    expect(downCount).toBeGreaterThanOrEqual(3);

    // Everything answered 202 is on the topic (503s may or may not be: the client retries them).
    const onTopic = await readEventIds(infra.brokers, iso.topic);
    const missing = [...load.accepted].filter((id) => !onTopic.has(id));
    process.stderr.write(
      `[broker-outage] 202: ${load.accepted.size}, 503: ${load.unavailable.length} (max ${Math.max(...load.unavailable.map((u) => u.ms))} ms), on topic: ${onTopic.size}, missing: ${missing.length}\n`,
    );
    expect(missing).toEqual([]);
  });
});

/** Every eventId on the topic: reads up to the high watermarks. */
async function readEventIds(brokers: string, topic: string): Promise<Set<string>> {
  const records = await readTopic(brokers, topic, await countRecords(brokers, topic));
  return new Set(records.map((r) => String(r.value.eventId)));
}
