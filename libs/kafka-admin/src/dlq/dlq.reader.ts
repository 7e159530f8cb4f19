import { randomBytes } from 'node:crypto';
import type { Admin, Batch, Kafka } from 'kafkajs';
import { DLQ_HEADERS, DlqEnvelope, decodeHeaders, parseDlqEnvelope } from '@app/contracts';

/** One record of the dead-letter topic, decoded. */
export interface DlqRecord {
  partition: number;
  offset: string;
  /** When it was dead-lettered (the Kafka record timestamp). */
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  value: Buffer | null;
  /** Null when the value is not a DLQ envelope (it was not written by DlqPublisher). */
  envelope: DlqEnvelope | null;
}

export interface DlqSelection {
  /** Only these records (partition:offset). */
  refs?: readonly { partition: number; offset: string }[];
  /** Only records dead-lettered at or after this time. */
  since?: Date;
  /** Stop waiting for the end of a partition after this long. */
  timeoutMs?: number;
}

export type DlqProgress = (read: number, total: number) => void;

interface Range {
  start: bigint;
  end: bigint;
}

export const dlqCodeOf = (record: DlqRecord): string | undefined =>
  record.envelope?.error.code ?? record.headers[DLQ_HEADERS.errorCode];

/**
 * Reads a bounded slice of the DLQ: from the selected start offsets up to the end offsets seen
 * when the read began. Uses a throw-away consumer group that never commits, so reading changes
 * nothing for anyone.
 */
export class DlqReader {
  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    readonly topic: string,
  ) {}

  async read(selection: DlqSelection = {}, onProgress?: DlqProgress): Promise<DlqRecord[]> {
    const ranges = await this.plan(selection);
    const total = [...ranges.values()].reduce((n, r) => n + Number(r.end - r.start), 0);
    if (total === 0) return [];
    const records = await this.consume(ranges, total, selection.timeoutMs ?? 60_000, onProgress);
    const wanted =
      selection.refs && new Set(selection.refs.map((r) => `${r.partition}:${r.offset}`));
    return records
      .filter((r) => !wanted || wanted.has(`${r.partition}:${r.offset}`))
      .sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }

  /** Offsets to read per partition: [start, end). */
  async plan(selection: DlqSelection): Promise<Map<number, Range>> {
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    const ranges = new Map<number, Range>();
    const since = selection.since
      ? await this.admin.fetchTopicOffsetsByTimestamp(this.topic, selection.since.getTime())
      : [];
    for (const p of offsets) {
      const low = BigInt(p.low);
      const high = BigInt(p.high);
      let start = low;
      let end = high;
      if (selection.refs) {
        const own = selection.refs
          .filter((r) => r.partition === p.partition)
          .map((r) => BigInt(r.offset));
        if (own.length === 0) continue;
        start = own.reduce((a, b) => (b < a ? b : a));
        end = own.reduce((a, b) => (b > a ? b : a)) + 1n;
      }
      const fromTime = since.find((s) => s.partition === p.partition)?.offset;
      if (fromTime !== undefined && fromTime !== '-1' && BigInt(fromTime) > start)
        start = BigInt(fromTime);
      if (start < low) start = low;
      if (end > high) end = high;
      if (start < end) ranges.set(p.partition, { start, end });
    }
    return ranges;
  }

  private async consume(
    ranges: Map<number, Range>,
    total: number,
    timeoutMs: number,
    onProgress?: DlqProgress,
  ): Promise<DlqRecord[]> {
    const consumer = this.kafka.consumer({
      groupId: `eyego-kafka-admin-reader-${randomBytes(6).toString('hex')}`,
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    const collector = this.collector(ranges, total, onProgress);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => collector.onBatch(batch),
      });
      // Partitions outside the selection start at their end, so nothing of them is fetched.
      for (const p of await this.admin.fetchTopicOffsets(this.topic)) {
        const offset = ranges.get(p.partition)?.start.toString() ?? p.high;
        consumer.seek({ topic: this.topic, partition: p.partition, offset });
      }
      await withTimeout(
        collector.finished,
        timeoutMs,
        () =>
          `reading ${this.topic} timed out after ${timeoutMs} ms; partitions not finished: ${[...collector.pending].join(', ')}`,
      );
      return collector.records();
    } finally {
      await consumer.disconnect();
    }
  }

  /**
   * Keeps the records inside the ranges; `finished` resolves when every range was read through.
   * A batch fetched before the seeks took effect may arrive twice: records are kept by offset.
   */
  private collector(ranges: Map<number, Range>, total: number, onProgress?: DlqProgress) {
    const byOffset = new Map<string, DlqRecord>();
    const pending = new Set(ranges.keys());
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const onBatch = (batch: Batch): void => {
      const range = ranges.get(batch.partition);
      if (!range || !pending.has(batch.partition)) return;
      for (const m of batch.messages) {
        const offset = BigInt(m.offset);
        if (offset >= range.start && offset < range.end)
          byOffset.set(`${batch.partition}:${m.offset}`, this.decode(batch.partition, m));
      }
      onProgress?.(byOffset.size, total);
      if (BigInt(batch.lastOffset()) + 1n >= range.end) pending.delete(batch.partition);
      if (pending.size === 0) finish();
    };
    return { records: () => [...byOffset.values()], pending, finished, onBatch };
  }

  private decode(partition: number, m: Batch['messages'][number]): DlqRecord {
    return {
      partition,
      offset: m.offset,
      timestamp: new Date(Number(m.timestamp)).toISOString(),
      key: m.key ? m.key.toString() : null,
      headers: decodeHeaders(m.headers),
      value: m.value,
      envelope: parseDlqEnvelope(m.value),
    };
  }
}

async function withTimeout(work: Promise<void>, ms: number, message: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
