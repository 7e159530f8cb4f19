import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  ActivityEvent,
  ActivityEventValidator,
  DecodeOutcome,
  ErrorCode,
  type EveryField,
  OriginalRecord,
  SchemaRegistryUnavailableError,
  ValueCodec,
} from '@app/contracts';
import { AnalyticsForwarder } from '../analytics/analytics-forwarder';
import { BatchFlusher } from '../flush/batch-flusher';
import { Entry, PartitionBuffer } from '../flush/partition-buffer';
import { INGESTION_OPTIONS, IngestionOptions } from '../ingestion.options';
import type { IngestedActivity } from '../sink/activity-sink';
import { ConsumerHandle, ConsumerListener } from '../transport/consumer-handle';

/** Longest pause between schema-registry attempts; well under the session timeout. */
const REGISTRY_RETRY_MAX_MS = 8_000;

/**
 * Kafka in, sink out. Each record is decoded and validated at once (permanent failures become
 * DLQ entries with retryCount 0) and buffered per partition; the BatchFlusher stores, retries,
 * dead-letters and commits. The handler returns without waiting, except when a partition's buffer
 * is full (back-pressure), so the database sees one bulk insert per flush, not one per event.
 */
@Injectable()
export class RecordIntake implements ConsumerListener, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Ingestion');
  private readonly buffers = new Map<string, PartitionBuffer>();
  private closing = false;

  constructor(
    @Inject(INGESTION_OPTIONS) private readonly options: IngestionOptions,
    private readonly validator: ActivityEventValidator,
    private readonly flusher: BatchFlusher,
    private readonly consumer: ConsumerHandle,
    private readonly analytics: AnalyticsForwarder,
    private readonly codec: ValueCodec,
  ) {}

  onModuleInit(): void {
    this.consumer.setListener(this);
  }

  /** Called by the Kafka edge for every record; never rejects. */
  async accept(record: OriginalRecord, heartbeat: () => Promise<void>): Promise<void> {
    // Closing: the record is not taken; it is redelivered to whoever owns the partition next.
    if (this.closing) return;
    this.consumer.useHeartbeat(heartbeat);
    const decoded = this.decode(record);
    // Only Avro looks something up (the writer schema), and it may have to wait for the registry.
    const entry = decoded instanceof Promise ? await decoded : decoded;
    if (entry === null) return;
    const wait = this.buffer(record.topic, record.partition).add(entry);
    if (wait) await wait;
  }

  private decode(record: OriginalRecord): Entry | Promise<Entry | null> {
    try {
      const decoded = this.codec.decode(record.value);
      if (decoded instanceof Promise) return this.untilRegistryAnswers(record, decoded);
      return this.validate(record, decoded);
    } catch (error) {
      return this.processingFailed(record, error);
    }
  }

  /**
   * A registry outage is nobody's input error: the partition waits (heartbeating) and retries
   * rather than dead-letter good records. Null when the service closes meanwhile.
   */
  private async untilRegistryAnswers(
    record: OriginalRecord,
    first: Promise<DecodeOutcome>,
  ): Promise<Entry | null> {
    let attempt: Promise<DecodeOutcome> = first;
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, REGISTRY_RETRY_MAX_MS)) {
      try {
        return this.validate(record, await attempt);
      } catch (error) {
        if (!(error instanceof SchemaRegistryUnavailableError)) {
          return this.processingFailed(record, error);
        }
        this.logger.warn({
          msg: 'schema registry unavailable; the partition waits',
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          error: error.message,
          retryInMs: delayMs,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.closing) return null;
      await this.consumer.heartbeat();
      attempt = Promise.resolve().then(() => this.codec.decode(record.value));
    }
  }

  private processingFailed(record: OriginalRecord, error: unknown): Entry {
    // A bug in decoding or validation must not stall the partition: the record is kept in the DLQ.
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'invalid', record, code: ErrorCode.PROCESSING_FAILED, message };
  }

  private validate(record: OriginalRecord, decoded: DecodeOutcome): Entry {
    if (!decoded.ok)
      return { kind: 'invalid', record, code: decoded.code, message: decoded.message };
    const outcome = this.validator.validate(decoded.value, { mode: 'stored' });
    if (!outcome.ok)
      return { kind: 'invalid', record, code: outcome.code, message: outcome.message };
    return { kind: 'event', record, doc: ingestedActivity(outcome.event, record) };
  }

  private buffer(topic: string, partition: number): PartitionBuffer {
    const key = `${topic}:${partition}`;
    let buffer = this.buffers.get(key);
    if (!buffer) {
      const { flushMaxEvents, flushIntervalMs } = this.options;
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
    for (const buffer of this.buffers.values()) this.consumer.pause(buffer.topic);
    const all = Promise.all([...this.buffers.values()].map((b) => b.flush()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.shutdownFlushTimeoutMs);
    });
    const outcome = await Promise.race([all.then(() => 'flushed' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.flusher.aborted = true;
    this.logger.log({ msg: 'ingestion stopped', outcome });
  }
}

/**
 * The document of a valid event, field by field: `{ ...event, kafka, receivedAt }` (a spread with
 * properties after it) leaves V8's fast object-clone path and was the costliest step of building a
 * record's document (README "Performance", consumer allocations). The mapped type makes a field
 * added to the event a compile error here rather than a field silently not stored.
 */
function ingestedActivity(
  event: ActivityEvent,
  record: OriginalRecord,
): EveryField<IngestedActivity> {
  return {
    eventId: event.eventId,
    userId: event.userId,
    activityType: event.activityType,
    timestamp: event.timestamp,
    metadata: event.metadata,
    version: event.version,
    kafka: { topic: record.topic, partition: record.partition, offset: record.offset },
    receivedAt: new Date(),
  };
}
