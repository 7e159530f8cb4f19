import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ActivityEventValidator, ErrorCode, OriginalRecord, parseJsonObject } from '@app/contracts';
import { AnalyticsForwarder } from '../analytics/analytics-forwarder';
import { ConsumerConfig } from '../config/consumer.config';
import { BatchFlusher } from './batch-flusher';
import { ConsumerListener, ConsumerPort } from './consumer-port';
import { Entry, PartitionBuffer } from './partition-buffer';

/**
 * Kafka in, MongoDB out. Each record is decoded and validated at once (permanent failures become
 * DLQ entries with retryCount 0) and buffered per partition; the BatchFlusher stores, retries,
 * dead-letters and commits. The handler returns without waiting, except when a partition's buffer
 * is full (back-pressure), so the database sees one bulk insert per flush, not one per event.
 */
@Injectable()
export class ActivityIngestionService implements ConsumerListener, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Ingestion');
  private readonly buffers = new Map<string, PartitionBuffer>();
  private closing = false;

  constructor(
    private readonly config: ConsumerConfig,
    private readonly validator: ActivityEventValidator,
    private readonly flusher: BatchFlusher,
    private readonly port: ConsumerPort,
    private readonly analytics: AnalyticsForwarder,
  ) {}

  onModuleInit(): void {
    this.port.setListener(this);
  }

  /** Called by the Kafka edge for every record; never rejects. */
  async accept(record: OriginalRecord, heartbeat: () => Promise<void>): Promise<void> {
    // Closing: the record is not taken; it is redelivered to whoever owns the partition next.
    if (this.closing) return;
    this.port.useHeartbeat(heartbeat);
    const wait = this.buffer(record.topic, record.partition).add(this.decode(record));
    if (wait) await wait;
  }

  private decode(record: OriginalRecord): Entry {
    try {
      return this.validate(record);
    } catch (error) {
      // A bug in validation must not stall the partition: the record is kept in the DLQ.
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'invalid', record, code: ErrorCode.PROCESSING_FAILED, message };
    }
  }

  private validate(record: OriginalRecord): Entry {
    const json = parseJsonObject(record.value);
    if (!json) {
      return {
        kind: 'invalid',
        record,
        code: ErrorCode.MALFORMED_MESSAGE,
        message: 'the record value is not a JSON object',
      };
    }
    const outcome = this.validator.validate(json, { mode: 'stored' });
    if (!outcome.ok)
      return { kind: 'invalid', record, code: outcome.code, message: outcome.message };
    const doc = {
      ...outcome.event,
      kafka: { topic: record.topic, partition: record.partition, offset: record.offset },
      receivedAt: new Date(),
    };
    return { kind: 'event', record, doc };
  }

  private buffer(topic: string, partition: number): PartitionBuffer {
    const key = `${topic}:${partition}`;
    let buffer = this.buffers.get(key);
    if (!buffer) {
      const { flushMaxEvents, flushIntervalMs } = this.config.ingestion;
      buffer = new PartitionBuffer(
        topic,
        partition,
        (b, entries) => this.flusher.flush(b, entries),
        flushMaxEvents,
        flushIntervalMs,
      );
      this.buffers.set(key, buffer);
    }
    return buffer;
  }

  /** Rebalance started: store what is buffered while commits may still be accepted. */
  onRebalancing(): void {
    for (const buffer of this.buffers.values()) void buffer.flush();
  }

  /** Partitions no longer ours stop committing and lose their state once their flushes ended. */
  onAssigned(assignment: Record<string, number[]>): void {
    for (const [key, buffer] of this.buffers) {
      if ((assignment[buffer.topic] ?? []).includes(buffer.partition)) continue;
      buffer.revoked = true;
      buffer.discard();
      this.buffers.delete(key);
      this.analytics.dropPartition(buffer.partition);
      this.logger.log({
        msg: 'partition revoked',
        topic: buffer.topic,
        partition: buffer.partition,
      });
    }
  }

  /**
   * Runs before Nest closes the Kafka transport: stop taking records, flush and commit what is
   * buffered within the deadline. What is left is redelivered to the next owner and deduplicated.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    for (const buffer of this.buffers.values()) this.port.pause(buffer.topic);
    const all = Promise.all([...this.buffers.values()].map((b) => b.flush()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.ingestion.shutdownFlushTimeoutMs);
    });
    const outcome = await Promise.race([all.then(() => 'flushed' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.flusher.aborted = true;
    this.logger.log({ msg: 'ingestion stopped', outcome });
  }
}
