import { ErrorCode, OriginalRecord } from '@app/contracts';
import { Metrics } from '@app/platform';
import { MongoNetworkError } from 'mongodb';
import { AnalyticsForwarder } from '../analytics/analytics-forwarder';
import { ConsumerConfig, loadConsumerConfig } from '../config/consumer.config';
import { ActivityRepository, InsertOutcome } from '../storage/activity.repository';
import { StoredActivity } from '../storage/stored-activity';
import { BatchFlusher } from './batch-flusher';
import { ConsumerPort } from './consumer-port';
import { KafkaClients } from './kafka-clients';
import { Entry, PartitionBuffer } from './partition-buffer';
import { Clock } from './retry-policy';

const record = (offset: number): OriginalRecord => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: 'u1',
  value: Buffer.from('{}'),
  headers: {},
});
const event = (offset: number): Entry => ({
  kind: 'event',
  record: record(offset),
  doc: { eventId: `evt_${offset}`, kafka: { offset: String(offset) } } as StoredActivity,
});

class FakeClock implements Clock {
  t = 0;
  now = () => this.t;
  sleep = (ms: number) => Promise.resolve(void (this.t += ms));
}

/** A flusher over fakes: `insert` plays the database, `publish` the DLQ producer. */
function setup(
  insert: (docs: readonly StoredActivity[]) => Promise<InsertOutcome>,
  publish: (f: unknown[]) => Promise<void> = () => Promise.resolve(),
) {
  const config: ConsumerConfig = loadConsumerConfig({});
  const dead: { code: string; retryCount: number; offset: string }[] = [];
  const commits: string[] = [];
  const paused: number[] = [];
  const kafka = {
    dlq: {
      publish: async (
        f: { original: OriginalRecord; error: { code: string; retryCount: number } }[],
      ) => {
        await publish(f);
        dead.push(...f.map((x) => ({ ...x.error, offset: x.original.offset })));
      },
    },
  } as unknown as KafkaClients;
  const port = {
    commit: (_t: string, _p: number, next: string) => Promise.resolve(void commits.push(next)),
    pause: (_t: string, p: number[]) => paused.push(...p),
    resume: () => undefined,
    heartbeat: () => Promise.resolve(),
    seek: (_t: string, _p: number, offset: string) => seeks.push(offset),
  } as unknown as ConsumerPort;
  const seeks: string[] = [];
  let analyticsFails = false;
  const analytics = {
    forward: () => {
      if (analyticsFails) throw new Error('bug');
    },
  } as unknown as AnalyticsForwarder;
  const repository = { insertMany: insert } as unknown as ActivityRepository;
  const flusher = new BatchFlusher(config, repository, kafka, port, new Metrics(), analytics);
  const clock = new FakeClock();
  flusher.clock = clock;
  const buffer = new PartitionBuffer('t', 0, () => Promise.resolve(), 500, 50);
  const failAnalytics = (fail: boolean) => (analyticsFails = fail);
  return { flusher, buffer, dead, commits, paused, clock, seeks, failAnalytics };
}

const all = (docs: readonly unknown[]) => docs.map((_, i) => i);

describe('BatchFlusher', () => {
  it('stores a batch in one insert and commits its last offset + 1', async () => {
    let calls = 0;
    const t = setup((docs) => {
      calls += 1;
      return Promise.resolve({ inserted: all(docs), duplicates: [], failures: [] });
    });
    await t.flusher.flush(t.buffer, [event(10), event(11), event(12)]);
    expect(calls).toBe(1);
    expect(t.commits).toEqual(['13']);
    expect(t.dead).toEqual([]);
  });

  it('holds the partition through a database outage and dead-letters nothing for it', async () => {
    let calls = 0;
    const t = setup((docs) => {
      calls += 1;
      if (calls <= 20) return Promise.reject(new MongoNetworkError('connect ECONNREFUSED'));
      return Promise.resolve({ inserted: all(docs), duplicates: [], failures: [] });
    });
    await t.flusher.flush(t.buffer, [event(0), event(1)]);
    expect(t.dead).toEqual([]);
    expect(t.paused).toEqual([0]);
    expect(t.commits).toEqual(['2']);
    expect(t.clock.t).toBeGreaterThan(60_000);
  });

  it('retries a failing document within the budget, then dead-letters it alone with its retry count', async () => {
    const t = setup((docs) => {
      const bad = docs.findIndex((d) => d.eventId === 'evt_1');
      return Promise.resolve({
        inserted: all(docs).filter((i) => i !== bad),
        duplicates: [],
        failures: bad >= 0 ? [{ index: bad, code: 2, message: 'cannot store' }] : [],
      });
    });
    await t.flusher.flush(t.buffer, [event(0), event(1), event(2)]);
    expect(t.dead).toEqual([
      expect.objectContaining({ code: ErrorCode.PROCESSING_FAILED, retryCount: 6, offset: '1' }),
    ]);
    expect(t.commits).toEqual(['3']);
  });

  it('dead-letters invalid records with retryCount 0 and never commits past a failing DLQ produce', async () => {
    let failures = 3;
    const t = setup(
      () => Promise.resolve({ inserted: [], duplicates: [], failures: [] }),
      () =>
        failures-- > 0 ? Promise.reject(new Error('KafkaJSConnectionError')) : Promise.resolve(),
    );
    const invalid: Entry = {
      kind: 'invalid',
      record: record(5),
      code: ErrorCode.MALFORMED_MESSAGE,
      message: 'not JSON',
    };
    await t.flusher.flush(t.buffer, [invalid]);
    expect(t.dead).toEqual([expect.objectContaining({ code: 'MALFORMED_MESSAGE', retryCount: 0 })]);
    expect(t.commits).toEqual(['6']);
  });

  it('commits nothing for a partition revoked while it waited', async () => {
    const t = setup(() => {
      t.buffer.revoked = true;
      return Promise.reject(new MongoNetworkError('down'));
    });
    await t.flusher.flush(t.buffer, [event(0)]);
    expect(t.commits).toEqual([]);
    expect(t.dead).toEqual([]);
  });

  it('after an unexpected failure, rewinds and commits nothing over the failed range until it is redone', async () => {
    const t = setup((docs) =>
      Promise.resolve({ inserted: all(docs), duplicates: [], failures: [] }),
    );
    t.failAnalytics(true);
    await t.flusher.flush(t.buffer, [event(10), event(11)]);
    t.failAnalytics(false);
    expect(t.seeks).toEqual(['10']);
    // A range taken before the rewind completes, but must not be committed over offset 10.
    await t.flusher.flush(t.buffer, [event(12), event(13)]);
    expect(t.commits).toEqual([]);
    // The redelivered range covers offset 10 again: commits resume.
    await t.flusher.flush(t.buffer, [event(10), event(11), event(12), event(13)]);
    expect(t.commits).toEqual(['14']);
  });
});
