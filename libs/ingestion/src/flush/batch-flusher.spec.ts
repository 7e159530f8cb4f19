import { ErrorCode, OriginalRecord } from '@app/contracts';
import type { DlqPublisher } from '@app/kafka-admin';
import { Metrics } from '@app/platform';
import { AnalyticsForwarder } from '../analytics/analytics-forwarder';
import { DEFAULT_INGESTION, IngestionOptions } from '../ingestion.options';
import type {
  ActivitySink,
  FailureKind,
  IngestedActivity,
  SinkWriteResult,
} from '../sink/activity-sink';
import { ConsumerHandle } from '../transport/consumer-handle';
import { BatchFlusher } from './batch-flusher';
import { Entry, PartitionBuffer } from './partition-buffer';
import { Clock } from './retry-policy';

const OPTIONS: IngestionOptions = { ...DEFAULT_INGESTION, groupId: 'g1', clientId: 'c' };
const unreachable = () => new Error('connect ECONNREFUSED 127.0.0.1:27017');

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
  doc: { eventId: `evt_${offset}`, kafka: { offset: String(offset) } } as IngestedActivity,
});

class FakeClock implements Clock {
  t = 0;
  now = () => this.t;
  sleep = (ms: number) => Promise.resolve(void (this.t += ms));
}

/** A flusher over fakes: `write` plays the sink, `publish` the DLQ producer. */
function setup(
  write: (docs: readonly IngestedActivity[]) => Promise<SinkWriteResult>,
  publish: (f: unknown[]) => Promise<void> = () => Promise.resolve(),
  classify?: (error: unknown) => FailureKind,
) {
  const dead: { code: string; retryCount: number; offset: string; group?: string }[] = [];
  const commits: string[] = [];
  const paused: number[] = [];
  const dlq = {
    publish: async (
      f: { original: OriginalRecord; error: { code: string; retryCount: number } }[],
      group?: string,
    ) => {
      await publish(f);
      dead.push(...f.map((x) => ({ ...x.error, offset: x.original.offset, group })));
    },
  } as unknown as DlqPublisher;
  const port = {
    commit: (_t: string, _p: number, next: string) => Promise.resolve(void commits.push(next)),
    pause: (_t: string, p: number[]) => paused.push(...p),
    resume: () => undefined,
    heartbeat: () => Promise.resolve(),
    seek: (_t: string, _p: number, offset: string) => seeks.push(offset),
  } as unknown as ConsumerHandle;
  const seeks: string[] = [];
  let analyticsFails = false;
  const analytics = {
    forward: () => {
      if (analyticsFails) throw new Error('bug');
    },
  } as unknown as AnalyticsForwarder;
  const sink: ActivitySink = { write, ...(classify ? { classify } : {}) };
  const flusher = new BatchFlusher(OPTIONS, sink, dlq, port, new Metrics(), analytics);
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
      return Promise.resolve({ stored: all(docs), duplicates: [], failed: [] });
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
      if (calls <= 20) return Promise.reject(unreachable());
      return Promise.resolve({ stored: all(docs), duplicates: [], failed: [] });
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
        stored: all(docs).filter((i) => i !== bad),
        duplicates: [],
        failed: bad >= 0 ? [{ index: bad, kind: 'other' as const, reason: 'cannot store' }] : [],
      });
    });
    await t.flusher.flush(t.buffer, [event(0), event(1), event(2)]);
    expect(t.dead).toEqual([
      expect.objectContaining({
        code: ErrorCode.PROCESSING_FAILED,
        retryCount: 6,
        offset: '1',
        group: 'g1',
      }),
    ]);
    expect(t.commits).toEqual(['3']);
  });

  it('dead-letters an event the sink calls permanent at once, and retries the others', async () => {
    let calls = 0;
    const t = setup((docs) => {
      calls += 1;
      const failed: SinkWriteResult['failed'] = [];
      docs.forEach((d, index) => {
        if (d.eventId === 'evt_1') failed.push({ index, kind: 'permanent', reason: 'too large' });
        if (d.eventId === 'evt_2' && calls < 3)
          failed.push({ index, kind: 'transient', reason: 'busy' });
      });
      const bad = new Set(failed.map((f) => f.index));
      return Promise.resolve({
        stored: all(docs).filter((i) => !bad.has(i)),
        duplicates: [],
        failed,
      });
    });
    await t.flusher.flush(t.buffer, [event(0), event(1), event(2)]);
    expect(t.dead).toEqual([expect.objectContaining({ retryCount: 0, offset: '1', group: 'g1' })]);
    expect(calls).toBe(3);
    expect(t.commits).toEqual(['3']);
  });

  it('asks the sink how to treat a failed call, and holds the partition for a transient one', async () => {
    let calls = 0;
    const t = setup(
      (docs) => {
        calls += 1;
        if (calls <= 10) return Promise.reject(new Error('store is read-only for now'));
        return Promise.resolve({ stored: all(docs), duplicates: [], failed: [] });
      },
      undefined,
      () => 'transient',
    );
    await t.flusher.flush(t.buffer, [event(0)]);
    expect(t.dead).toEqual([]);
    expect(t.paused).toEqual([0]);
    expect(t.commits).toEqual(['1']);
  });

  it('dead-letters a whole flush at once when the sink calls its failure permanent', async () => {
    let calls = 0;
    const t = setup(
      () => {
        calls += 1;
        return Promise.reject(new Error('schema rejected'));
      },
      undefined,
      () => 'permanent',
    );
    await t.flusher.flush(t.buffer, [event(0), event(1)]);
    expect(calls).toBe(1);
    expect(t.dead.map((d) => [d.offset, d.retryCount])).toEqual([
      ['0', 0],
      ['1', 0],
    ]);
    expect(t.commits).toEqual(['2']);
  });

  it('dead-letters invalid records with retryCount 0 and never commits past a failing DLQ produce', async () => {
    let failures = 3;
    const t = setup(
      () => Promise.resolve({ stored: [], duplicates: [], failed: [] }),
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
      return Promise.reject(unreachable());
    });
    await t.flusher.flush(t.buffer, [event(0)]);
    expect(t.commits).toEqual([]);
    expect(t.dead).toEqual([]);
  });

  it('after an unexpected failure, rewinds and commits nothing over the failed range until it is redone', async () => {
    const t = setup((docs) => Promise.resolve({ stored: all(docs), duplicates: [], failed: [] }));
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

describe('BatchFlusher with a sink that hangs', () => {
  it('heartbeats while a write runs, gives it up after the timeout and retries it as transient', async () => {
    jest.useFakeTimers();
    try {
      let calls = 0;
      let beats = 0;
      const write = (docs: readonly IngestedActivity[]) => {
        calls += 1;
        if (calls === 1) return new Promise<SinkWriteResult>(() => undefined);
        return Promise.resolve({ stored: docs.map((_, i) => i), duplicates: [], failed: [] });
      };
      const commits: string[] = [];
      const port = {
        commit: (_t: string, _p: number, next: string) => Promise.resolve(void commits.push(next)),
        pause: () => undefined,
        resume: () => undefined,
        heartbeat: () => Promise.resolve(void (beats += 1)),
      } as unknown as ConsumerHandle;
      const options = { ...OPTIONS, sinkWriteTimeoutMs: 10_000, heartbeatIntervalMs: 1000 };
      const flusher = new BatchFlusher(
        options,
        { write },
        { publish: () => Promise.resolve() } as unknown as DlqPublisher,
        port,
        new Metrics(),
        { forward: () => undefined } as unknown as AnalyticsForwarder,
      );
      flusher.clock = new FakeClock();
      const buffer = new PartitionBuffer('t', 0, () => Promise.resolve(), 500, 50);
      const done = flusher.flush(buffer, [event(0)]);
      await jest.advanceTimersByTimeAsync(10_001);
      await done;
      expect(beats).toBeGreaterThanOrEqual(9);
      expect(calls).toBe(2);
      expect(commits).toEqual(['1']);
    } finally {
      jest.useRealTimers();
    }
  });
});
