import { ErrorCode } from '@app/contracts';
import { Entry, PartitionBuffer } from './partition-buffer';

const entry = (offset: number): Entry => ({
  kind: 'invalid',
  record: { topic: 't', partition: 0, offset: String(offset), key: null, value: null, headers: {} },
  code: ErrorCode.MALFORMED_MESSAGE,
  message: 'x',
});

describe('PartitionBuffer', () => {
  it('flushes by size, in offset order, one flush at a time', async () => {
    const flushed: string[][] = [];
    let running = 0;
    let overlap = false;
    const buffer = new PartitionBuffer(
      't',
      0,
      async (_b, entries) => {
        running += 1;
        overlap ||= running > 1;
        await new Promise((r) => setTimeout(r, 5));
        flushed.push(entries.map((e) => e.record.offset));
        running -= 1;
      },
      2,
      10_000,
    );
    for (let i = 0; i < 6; i += 1) {
      const wait = buffer.add(entry(i));
      if (wait) await wait;
    }
    await buffer.idle();
    expect(flushed).toEqual([
      ['0', '1'],
      ['2', '3'],
      ['4', '5'],
    ]);
    expect(overlap).toBe(false);
  });

  it('flushes a partial buffer after the interval', async () => {
    const flushed: number[] = [];
    const buffer = new PartitionBuffer(
      't',
      0,
      (_b, entries) => Promise.resolve(void flushed.push(entries.length)),
      500,
      10,
    );
    expect(buffer.add(entry(0))).toBeNull();
    expect(buffer.add(entry(1))).toBeNull();
    await new Promise((r) => setTimeout(r, 40));
    expect(flushed).toEqual([2]);
  });

  it('makes the caller wait when a full buffer meets a flush already running', async () => {
    let release: () => void = () => undefined;
    const buffer = new PartitionBuffer(
      't',
      0,
      () => new Promise<void>((r) => (release = r)),
      1,
      10_000,
    );
    expect(buffer.add(entry(0))).toBeNull();
    const wait = buffer.add(entry(1));
    expect(wait).not.toBeNull();
    let waited = false;
    const done = wait?.then(() => (waited = true));
    await new Promise((r) => setImmediate(r));
    expect(waited).toBe(false);
    release();
    await done;
    expect(waited).toBe(true);
    await new Promise((r) => setImmediate(r));
    release();
    await buffer.idle();
  });
});
