import type { OutgoingRecord } from '@app/contracts';

export interface PublishedRecord {
  partition: number;
  offset: string;
}

/** What one produce call answers: the first offset written in each partition. */
export interface PartitionAck {
  partition: number;
  baseOffset?: string;
}

export interface PartitionedRecord extends OutgoingRecord {
  partition: number;
}

/** The produce call did not finish in time or failed; the caller answers 503. */
export class SendFailedError extends Error {}

/** More records wait than the bound allows: refused at once, nothing sent (the caller sheds). */
export class QueueFullError extends Error {}

interface Pending {
  records: readonly OutgoingRecord[];
  resolve(result: PublishedRecord[]): void;
  reject(error: Error): void;
  /** Set when the caller stopped waiting: never sent after that. */
  abandoned: boolean;
  /**
   * The caller's deadline. Cleared once answered: a pending timer keeps the request's whole state
   * (records, promise, HTTP objects) reachable for the full timeout, which moved every request
   * into V8's old generation and cost a major GC every 2-3 s at 1,000 req/s.
   */
  timer?: NodeJS.Timeout;
}

export interface SerialSenderOptions {
  /** One produce call (acks=all) for these records; answers each record's partition and offset. */
  send(records: OutgoingRecord[]): Promise<PublishedRecord[]>;
  /**
   * Called after a failed or timed-out produce call, before the next one starts. The producer
   * must then be replaced (new producer id): see the class comment.
   */
  onFailure(error: Error): void;
  timeoutMs: number;
  maxRecordsPerSend: number;
  /**
   * Records that may wait for a produce call; more are refused at once (QueueFullError). Bounds
   * memory and the wait of what is accepted when clients offer more than Kafka takes.
   */
  maxPendingRecords: number;
}

/**
 * Sends records through ONE produce call at a time, merging the requests that wait meanwhile into
 * the next call (group commit), and answers each request with its own partitions and offsets.
 *
 * Why one at a time: kafkajs's idempotent producer takes a sequence number per partition under a
 * lock, and gives it back when a produce call fails — even when the broker did write the batch
 * (a timeout, a connection lost before the answer). A different send that then takes the same
 * sequence is taken by the broker for a retry of the written batch and acknowledged without being
 * written: an event answered 202 would be lost. So sends never overlap here, and after any failure
 * the producer is replaced (a new producer id starts new sequences) before the next send.
 */
export class SerialSender {
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private running = false;

  constructor(private readonly options: SerialSenderOptions) {}

  /** Resolves once the broker acknowledged these records; rejects with SendFailedError. */
  enqueue(records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    if (records.length > this.headroom) {
      return Promise.reject(
        new QueueFullError(`${this.queuedRecords} records already wait for Kafka`),
      );
    }
    this.queuedRecords += records.length;
    return new Promise<PublishedRecord[]>((resolve, reject) => {
      const pending: Pending = { records, resolve, reject, abandoned: false };
      this.queue.push(pending);
      pending.timer = setTimeout(() => {
        if (pending.abandoned) return;
        pending.abandoned = true;
        // Still waiting (not in a produce call): it no longer counts against the bound.
        const at = this.queue.indexOf(pending);
        if (at >= 0) {
          this.queue.splice(at, 1);
          this.queuedRecords -= records.length;
        }
        reject(
          new SendFailedError(`Kafka did not acknowledge within ${this.options.timeoutMs} ms`),
        );
      }, this.options.timeoutMs).unref();
      if (!this.running) void this.drain();
    });
  }

  get idle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let batch = this.takeBatch(); batch.length > 0; batch = this.takeBatch()) {
        await this.sendBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  /** Records waiting for a produce call (not yet taken into one). */
  get pendingRecords(): number {
    return this.queuedRecords;
  }

  /**
   * How many records enqueue() takes now. Unbounded while nothing waits: one request is always
   * admitted then, whatever its size (a batch is never split).
   */
  get headroom(): number {
    if (this.queuedRecords === 0) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.options.maxPendingRecords - this.queuedRecords);
  }

  /** The waiting requests (not abandoned), up to the record limit; always at least one. */
  private takeBatch(): Pending[] {
    this.queue = this.queue.filter((p) => !p.abandoned);
    const batch: Pending[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (batch.length > 0 && size + next.records.length > this.options.maxRecordsPerSend) break;
      batch.push(next);
      size += next.records.length;
      this.queuedRecords -= next.records.length;
      this.queue.shift();
    }
    return batch;
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const records = batch.flatMap((p) => p.records);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SendFailedError(`Kafka did not acknowledge within ${this.options.timeoutMs} ms`),
          ),
        this.options.timeoutMs,
      );
    });
    const call = this.options.send(records);
    call.catch(() => undefined); // a call given up on may still settle later
    try {
      const results = await Promise.race([call, deadline]);
      let at = 0;
      for (const p of batch) {
        const own = results.slice(at, at + p.records.length);
        at += p.records.length;
        p.abandoned = true;
        clearTimeout(p.timer);
        p.resolve(own);
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.options.onFailure(failure);
      for (const p of batch) {
        if (p.abandoned) continue;
        p.abandoned = true;
        clearTimeout(p.timer);
        p.reject(
          failure instanceof SendFailedError ? failure : new SendFailedError(failure.message),
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Offsets within a partition follow the order of the records, from the partition's base offset. */
export function assignOffsets(
  records: PartitionedRecord[],
  acks: PartitionAck[],
): PublishedRecord[] {
  const next = new Map(acks.map((a) => [a.partition, BigInt(a.baseOffset ?? '0')]));
  return records.map((r) => {
    const offset = next.get(r.partition);
    if (offset === undefined) throw new Error(`no acknowledgement for partition ${r.partition}`);
    next.set(r.partition, offset + 1n);
    return { partition: r.partition, offset: offset.toString() };
  });
}
