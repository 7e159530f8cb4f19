import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, OriginalRecord } from '@app/contracts';
import { DlqFailure, DlqPublisher } from '@app/kafka-admin';
import { Metrics } from '@app/platform';
import { AnalyticsForwarder } from '../analytics/analytics-forwarder';
import { INGESTION_OPTIONS, IngestionOptions } from '../ingestion.options';
import {
  ACTIVITY_SINK,
  ActivitySink,
  FailureKind,
  IngestedActivity,
  SinkFailure,
  SinkWriteResult,
} from '../sink/activity-sink';
import { ConsumerHandle } from '../transport/consumer-handle';
import { classifyCommonFailure, failureCause } from './failure-classifier';
import { Entry, PartitionBuffer } from './partition-buffer';
import { Clock, RetryPolicy, systemClock } from './retry-policy';
import { RetriesExhausted, RetryAborted, RetryHooks, retrying } from './retrying';

type EventEntry = Extract<Entry, { kind: 'event' }>;

/** Some events of a write failed (not as duplicates); retried alone per their kind. */
class EventsFailed extends Error {
  constructor(
    readonly kind: FailureKind,
    reason: string,
  ) {
    super(reason);
    this.name = 'EventsFailed';
  }
}

/** A sink write that did not answer in time (IngestionOptions.sinkWriteTimeoutMs). */
export class SinkWriteTimeout extends Error {
  constructor(ms: number) {
    super(`the sink did not answer within ${ms} ms`);
    this.name = 'SinkWriteTimeout';
  }
}

/** Transient beats other beats permanent: the events retried together share the gentlest kind. */
function retryKind(failures: readonly SinkFailure[]): FailureKind {
  if (failures.some((f) => f.kind === 'transient')) return 'transient';
  return failures.some((f) => f.kind === 'other') ? 'other' : 'permanent';
}

/**
 * One flush of one partition: hand the events to the sink (one write call; duplicates counted),
 * retry per the policy and the failures' kinds, dead-letter what cannot be stored, forward to
 * analytics, then commit the range. Never rejects: an aborted flush commits nothing, so its
 * records come back.
 */
@Injectable()
export class BatchFlusher {
  private readonly logger = new Logger('Ingestion');
  readonly policy: RetryPolicy;
  clock: Clock = systemClock;
  /** Set while the app shuts down and its flush deadline passed: loops stop retrying. */
  aborted = false;
  private readonly group: string;

  constructor(
    @Inject(INGESTION_OPTIONS) private readonly options: IngestionOptions,
    @Inject(ACTIVITY_SINK) private readonly sink: ActivitySink,
    private readonly dlq: DlqPublisher,
    private readonly consumer: ConsumerHandle,
    private readonly metrics: Metrics,
    private readonly analytics: AnalyticsForwarder,
  ) {
    this.policy = new RetryPolicy(options.retry);
    this.group = options.groupId;
  }

  async flush(buffer: PartitionBuffer, entries: Entry[]): Promise<void> {
    const started = process.hrtime.bigint();
    let held = false;
    const hooks = this.hooks(buffer, () => {
      if (!held) this.consumer.pause(buffer.topic, [buffer.partition]);
      held = true;
    });
    try {
      const events = entries.filter((e): e is EventEntry => e.kind === 'event');
      const { stored, duplicates, failures } = await this.store(events, hooks);
      for (const e of entries) {
        if (e.kind === 'invalid') failures.push(this.failure(e.record, e.code, e.message, 0));
      }
      await retrying(
        { ...hooks, onRetry: (k, r, d, e) => hooks.onRetry(k, r, d, e, failures.length) },
        () => this.dlq.publish(failures, this.group),
        () => 'transient',
      );
      this.record(buffer, stored, duplicates, failures);
      this.analytics.forward(buffer.partition, stored);
      await this.commit(buffer, entries);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.flushSize.observe({ group: this.group }, events.length);
      this.metrics.flushDuration.observe({ group: this.group }, seconds);
      this.logger.log({
        msg: 'flushed',
        topic: buffer.topic,
        partition: buffer.partition,
        fromOffset: entries[0]?.record.offset,
        toOffset: entries[entries.length - 1]?.record.offset,
        stored: stored.length,
        duplicates: duplicates.length,
        deadLettered: failures.length,
        ms: Math.round(seconds * 1000),
      });
    } catch (error) {
      // Nothing committed: Kafka redelivers the range and the unique eventId index dedups it.
      if (error instanceof RetryAborted) {
        this.logger.warn({
          msg: 'flush abandoned',
          topic: buffer.topic,
          partition: buffer.partition,
        });
      } else {
        this.rewind(buffer, entries, error);
      }
    } finally {
      if (held && !buffer.revoked) this.consumer.resume(buffer.topic, [buffer.partition]);
    }
  }

  private hooks(buffer: PartitionBuffer, hold: () => void): RetryHooks {
    return {
      clock: this.clock,
      policy: this.policy,
      logger: this.logger,
      heartbeatEveryMs: Math.max(100, this.options.heartbeatIntervalMs),
      heartbeat: () => this.consumer.heartbeat(),
      hold,
      cancelled: () => buffer.revoked || this.aborted,
      onRetry: (kind, retry, delayMs, error, events = 1) => {
        this.metrics.eventsConsumed.inc({ outcome: 'retried', group: this.group }, events);
        const cause = failureCause(error);
        this.metrics.sinkFailures.inc({ group: this.group, kind, cause });
        this.logger.error({
          msg: kind === 'transient' ? 'dependency unavailable, holding the partition' : 'retrying',
          cause,
          topic: buffer.topic,
          partition: buffer.partition,
          kind,
          retry,
          delayMs,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      },
    };
  }

  /**
   * Writes the events through the sink. Failed events are retried alone, by their kind (the
   * gentlest kind among them: transient, then other, then permanent), then dead-lettered.
   */
  private async store(events: EventEntry[], hooks: RetryHooks) {
    const stored: IngestedActivity[] = [];
    const duplicates: EventEntry[] = [];
    const failures: DlqFailure[] = [];
    let todo = events;
    let retries = 0;
    try {
      await retrying(
        {
          ...hooks,
          onRetry: (k, r, d, e) => {
            retries = r;
            hooks.onRetry(k, r, d, e, todo.length);
          },
        },
        async () => {
          const outcome = await this.write(todo.map((e) => e.doc));
          for (const i of outcome.stored) stored.push(todo[i].doc);
          for (const i of outcome.duplicates) duplicates.push(todo[i]);
          if (outcome.failed.length === 0) return;
          const kind = retryKind(outcome.failed);
          // Permanent failures next to retryable ones go to the DLQ now, not after the others.
          const now =
            kind === 'permanent' ? [] : outcome.failed.filter((f) => f.kind === 'permanent');
          for (const f of now) {
            failures.push(
              this.failure(todo[f.index].record, ErrorCode.PROCESSING_FAILED, f.reason, retries),
            );
          }
          const again = outcome.failed.filter((f) => !now.includes(f));
          const reason = again[0].reason;
          todo = again.map((f) => todo[f.index]);
          throw new EventsFailed(kind, reason);
        },
        (error) => (error instanceof EventsFailed ? error.kind : this.classify(error)),
      );
    } catch (error) {
      if (!(error instanceof RetriesExhausted)) throw error;
      for (const e of todo) {
        failures.push(
          this.failure(e.record, ErrorCode.PROCESSING_FAILED, error.message, error.retries),
        );
      }
    }
    return { stored, duplicates, failures };
  }

  /**
   * One sink call, bounded, with heartbeats while it runs: kafkajs only heartbeats between
   * records, and a store that hangs past the session timeout would otherwise cost the membership
   * (found with a FerretDB bulk write that never answered).
   */
  private async write(docs: IngestedActivity[]): Promise<SinkWriteResult> {
    const ms = this.options.sinkWriteTimeoutMs;
    let deadline: NodeJS.Timeout | undefined;
    const beats = setInterval(
      () => void this.consumer.heartbeat(),
      Math.max(100, this.options.heartbeatIntervalMs),
    );
    try {
      const call = this.sink.write(docs);
      call.catch(() => undefined); // given up on below, it may still settle
      return await Promise.race([
        call,
        new Promise<never>((_, reject) => {
          deadline = setTimeout(() => reject(new SinkWriteTimeout(ms)), ms);
        }),
      ]);
    } finally {
      clearInterval(beats);
      clearTimeout(deadline);
    }
  }

  /** The sink's word on a failed call, else the engine's (network and Kafka errors are transient). */
  private classify(error: unknown): FailureKind {
    if (error instanceof SinkWriteTimeout) return 'transient';
    return this.sink.classify?.(error) ?? classifyCommonFailure(error);
  }

  private failure(
    original: OriginalRecord,
    code: ErrorCode,
    message: string,
    retryCount: number,
  ): DlqFailure {
    return { original, error: { code, message, timestamp: new Date().toISOString(), retryCount } };
  }

  private record(
    buffer: PartitionBuffer,
    stored: IngestedActivity[],
    duplicates: EventEntry[],
    failures: DlqFailure[],
  ): void {
    const where = { topic: buffer.topic, partition: buffer.partition };
    const group = this.group;
    this.metrics.eventsConsumed.inc({ outcome: 'stored', group }, stored.length);
    this.metrics.eventsConsumed.inc({ outcome: 'duplicate', group }, duplicates.length);
    this.metrics.eventsConsumed.inc({ outcome: 'dead_lettered', group }, failures.length);
    // One per stored event, so no spread of `where` (an object-clone slow path in V8) here.
    for (const doc of stored) {
      this.logger.debug({
        msg: 'stored',
        eventId: doc.eventId,
        topic: buffer.topic,
        partition: buffer.partition,
        offset: doc.kafka.offset,
      });
    }
    for (const d of duplicates) {
      this.logger.debug({
        msg: 'duplicate skipped',
        eventId: d.doc.eventId,
        ...where,
        offset: d.record.offset,
      });
    }
    for (const f of failures) {
      this.metrics.dlqRecords.inc({ code: f.error.code, group });
      this.logger.warn({
        msg: 'dead-lettered',
        eventId: f.original.headers.eventId ?? null,
        ...where,
        offset: f.original.offset,
        code: f.error.code,
        retryCount: f.error.retryCount,
        reason: f.error.message,
      });
    }
  }

  /** An unexpected failure: read the partition again from the failed range, commit nothing over it. */
  private rewind(buffer: PartitionBuffer, entries: Entry[], error: unknown): void {
    const first = entries[0];
    if (!first) return;
    const from = BigInt(first.record.offset);
    buffer.resumeFrom =
      buffer.resumeFrom === null || from < buffer.resumeFrom ? from : buffer.resumeFrom;
    buffer.discard();
    this.consumer.seek(buffer.topic, buffer.partition, buffer.resumeFrom.toString());
    this.logger.error({
      msg: 'flush failed; reading the partition again from the failed range',
      topic: buffer.topic,
      partition: buffer.partition,
      offset: buffer.resumeFrom.toString(),
      error: String(error),
    });
  }

  /** Commits the range's last offset + 1; a failed commit only means redelivery (deduplicated). */
  private async commit(buffer: PartitionBuffer, entries: Entry[]): Promise<void> {
    const last = entries[entries.length - 1];
    if (!last || buffer.revoked) return;
    if (buffer.resumeFrom !== null) {
      if (BigInt(entries[0].record.offset) > buffer.resumeFrom) return;
      buffer.resumeFrom = null;
    }
    const next = BigInt(last.record.offset) + 1n;
    if (next <= buffer.committed) return;
    try {
      await this.consumer.commit(buffer.topic, buffer.partition, next.toString());
      buffer.committed = next;
    } catch (error) {
      this.logger.warn({
        msg: 'offset commit failed; the range will be redelivered and deduplicated',
        topic: buffer.topic,
        partition: buffer.partition,
        offset: next.toString(),
        error: String(error),
      });
    }
  }
}
