import type { OutgoingRecord } from '@app/contracts';
import {
  PublishedRecord,
  QueueFullError,
  SendFailedError,
  SerialSender,
  assignOffsets,
} from './serial-sender';

const record = (key: string): OutgoingRecord => ({ key, value: '{}', headers: {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A produce call that answers partition 0 with consecutive offsets, after `delayMs`. */
function fakeBroker(delayMs = 5) {
  const calls: string[][] = [];
  let active = 0;
  let maxActive = 0;
  let next = 0;
  let fail: Error | null = null;
  let hang = false;
  const send = async (records: OutgoingRecord[]): Promise<PublishedRecord[]> => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    calls.push(records.map((r) => r.key));
    try {
      if (hang) await new Promise(() => undefined);
      await sleep(delayMs);
      if (fail) throw fail;
      return records.map(() => ({ partition: 0, offset: String(next++) }));
    } finally {
      active -= 1;
    }
  };
  return {
    send,
    calls,
    maxActive: () => maxActive,
    failNext: (e: Error | null) => (fail = e),
    hangNext: (h: boolean) => (hang = h),
  };
}

describe('SerialSender', () => {
  it('merges requests that wait into one produce call and answers each with its own offsets', async () => {
    const broker = fakeBroker();
    const sender = new SerialSender({
      send: broker.send,
      onFailure: jest.fn(),
      timeoutMs: 1000,
      maxRecordsPerSend: 100,
      maxPendingRecords: 100_000,
    });
    const results = await Promise.all([
      sender.enqueue([record('a')]),
      sender.enqueue([record('b'), record('c')]),
      sender.enqueue([record('d')]),
    ]);
    expect(broker.calls).toEqual([['a'], ['b', 'c', 'd']]);
    expect(results.map((r) => r.map((p) => p.offset))).toEqual([['0'], ['1', '2'], ['3']]);
    expect(broker.maxActive()).toBe(1);
  });

  it('never has two produce calls in flight, whatever the concurrency', async () => {
    const broker = fakeBroker(2);
    const sender = new SerialSender({
      send: broker.send,
      onFailure: jest.fn(),
      timeoutMs: 1000,
      maxRecordsPerSend: 3,
      maxPendingRecords: 100_000,
    });
    await Promise.all(Array.from({ length: 30 }, (_, i) => sender.enqueue([record(`k${i}`)])));
    expect(broker.maxActive()).toBe(1);
    expect(broker.calls.flat()).toHaveLength(30);
    expect(Math.max(...broker.calls.map((c) => c.length))).toBeLessThanOrEqual(3);
  });

  it('replaces the producer after a failed call, before the next call, and rejects that batch', async () => {
    const broker = fakeBroker();
    const order: string[] = [];
    const sender = new SerialSender({
      send: async (records) => {
        order.push('send');
        return broker.send(records);
      },
      onFailure: () => order.push('replace'),
      timeoutMs: 1000,
      maxRecordsPerSend: 100,
      maxPendingRecords: 100_000,
    });
    broker.failNext(new Error('connection lost'));
    await expect(sender.enqueue([record('a')])).rejects.toBeInstanceOf(SendFailedError);
    broker.failNext(null);
    await expect(sender.enqueue([record('b')])).resolves.toHaveLength(1);
    expect(order).toEqual(['send', 'replace', 'send']);
  });

  it('gives up on a call that hangs past the deadline, and later requests still go through', async () => {
    const broker = fakeBroker();
    const onFailure = jest.fn();
    const sender = new SerialSender({
      send: broker.send,
      onFailure,
      timeoutMs: 50,
      maxRecordsPerSend: 100,
      maxPendingRecords: 100_000,
    });
    broker.hangNext(true);
    await expect(sender.enqueue([record('stuck')])).rejects.toThrow(
      /did not acknowledge within 50 ms/,
    );
    broker.hangNext(false);
    await sleep(20);
    await expect(sender.enqueue([record('next')])).resolves.toHaveLength(1);
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it('never sends a request whose caller gave up while it waited its turn', async () => {
    const broker = fakeBroker();
    const sender = new SerialSender({
      send: broker.send,
      onFailure: jest.fn(),
      timeoutMs: 50,
      maxRecordsPerSend: 1,
      maxPendingRecords: 100_000,
    });
    broker.hangNext(true);
    const outcomes = [
      sender.enqueue([record('first')]),
      sender.enqueue([record('second')]),
      sender.enqueue([record('third')]),
    ];
    for (const o of outcomes) await expect(o).rejects.toBeInstanceOf(SendFailedError);
    await sleep(120);
    expect(broker.calls.flat()).not.toContain('third');
  });

  it('leaves no timer behind once a request is answered, acknowledged or failed', async () => {
    // A pending deadline timer would keep the request's state alive for the whole timeout.
    jest.useFakeTimers();
    try {
      let fail = false;
      const sender = new SerialSender({
        send: async (records) => {
          if (fail) throw new Error('broker gone');
          return records.map((_, i) => ({ partition: 0, offset: String(i) }));
        },
        onFailure: jest.fn(),
        timeoutMs: 5000,
        maxRecordsPerSend: 100,
        maxPendingRecords: 100_000,
      });
      await Promise.all([sender.enqueue([record('a')]), sender.enqueue([record('b')])]);
      expect(jest.getTimerCount()).toBe(0);
      fail = true;
      await expect(sender.enqueue([record('c')])).rejects.toBeInstanceOf(SendFailedError);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('SerialSender under more load than Kafka takes', () => {
  it('refuses at once what would exceed the pending-records bound, and admits again once it drains', async () => {
    let release: () => void = () => undefined;
    const sent: string[][] = [];
    const sender = new SerialSender({
      send: async (records) => {
        sent.push(records.map((r) => r.key));
        if (sent.length === 1) await new Promise<void>((r) => (release = r));
        return records.map((_, i) => ({ partition: 0, offset: String(i) }));
      },
      onFailure: jest.fn(),
      timeoutMs: 60_000,
      maxRecordsPerSend: 100,
      maxPendingRecords: 3,
    });
    expect(sender.headroom).toBe(Number.POSITIVE_INFINITY);
    const first = sender.enqueue([record('in-flight')]);
    await Promise.resolve();
    expect(sender.headroom).toBe(Number.POSITIVE_INFINITY); // in a produce call, not waiting
    const waiting = sender.enqueue([record('w1'), record('w2')]);
    expect(sender.headroom).toBe(1);
    await expect(sender.enqueue([record('w3'), record('w4')])).rejects.toBeInstanceOf(
      QueueFullError,
    );
    expect(sender.pendingRecords).toBe(2);
    release();
    await Promise.all([first, waiting]);
    expect(sender.headroom).toBe(Number.POSITIVE_INFINITY);
    await expect(sender.enqueue([record('later1'), record('later2')])).resolves.toHaveLength(2);
    expect(sent).toEqual([['in-flight'], ['w1', 'w2'], ['later1', 'later2']]);
  });
});

describe('assignOffsets', () => {
  it('numbers records per partition from each partition base offset, in order', () => {
    const records = [0, 1, 0, 2, 1].map((partition, i) => ({ ...record(`k${i}`), partition }));
    const acks = [
      { partition: 0, baseOffset: '10' },
      { partition: 1, baseOffset: '7' },
      { partition: 2, baseOffset: '0' },
    ];
    expect(assignOffsets(records, acks).map((r) => `${r.partition}:${r.offset}`)).toEqual([
      '0:10',
      '1:7',
      '0:11',
      '2:0',
      '1:8',
    ]);
  });
});
