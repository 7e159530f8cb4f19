import { ErrorCode, OriginalRecord } from '@app/contracts';
import type { IngestedActivity } from '../sink/activity-sink';

/** One record of a partition, decoded: a document to store or a permanent failure to dead-letter. */
export type Entry =
  | { kind: 'event'; record: OriginalRecord; doc: IngestedActivity }
  | { kind: 'invalid'; record: OriginalRecord; code: ErrorCode; message: string };

export type FlushFn = (buffer: PartitionBuffer, entries: Entry[]) => Promise<void>;

/**
 * The records of one partition not yet stored. Flushes run one after another (so commits follow
 * offset order) and take everything buffered at that moment; each covers a contiguous offset range,
 * so its last offset + 1 is safe to commit once it completed. Memory stays bounded: the caller
 * waits (back-pressure) whenever a full buffer meets a flush already queued.
 */
export class PartitionBuffer {
  private pending: Entry[] = [];
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Next offset committed for this partition; never moves backwards. */
  committed = -1n;
  /** Set when the partition was assigned elsewhere: no more commits from here. */
  revoked = false;
  /**
   * Set after a flush failed unexpectedly (its range was not stored): later ranges must not be
   * committed over it, so commits wait until a flush starting at or before this offset succeeds.
   */
  resumeFrom: bigint | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly flushFn: FlushFn,
    private readonly maxEvents: number,
    private readonly intervalMs: number,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  /** Buffers an entry; returns a promise to wait for only when the caller must slow down. */
  add(entry: Entry): Promise<void> | null {
    this.pending.push(entry);
    if (this.pending.length >= this.maxEvents) {
      const previous = this.queued > 0 ? this.chain : null;
      void this.flush();
      return previous;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
    return null;
  }

  /** Schedules a flush of everything buffered; resolves when it (and all before it) finished. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return this.chain;
    const entries = this.pending;
    this.pending = [];
    this.queued += 1;
    // flushFn never rejects (it logs and gives up instead); the catch keeps the chain alive anyway.
    this.chain = this.chain
      .then(() => this.flushFn(this, entries))
      .catch(() => undefined)
      .finally(() => (this.queued -= 1));
    return this.chain;
  }

  /** Resolves once every scheduled flush has finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Drops what is buffered (it will be redelivered) and stops the timer. */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
