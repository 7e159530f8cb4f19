import { Injectable, Logger } from '@nestjs/common';
import { DlqError, ErrorCode, OriginalRecord } from '@app/contracts';
import { Metrics } from '@app/platform';
import { AnalyticsForwarder } from '../analytics/analytics-forwarder';
import { ConsumerConfig } from '../config/consumer.config';
import { ActivityRepository } from '../storage/activity.repository';
import { StoredActivity } from '../storage/stored-activity';
import { ConsumerPort } from './consumer-port';
import { KafkaClients } from './kafka-clients';
import { Entry, PartitionBuffer } from './partition-buffer';
import { Clock, RetryPolicy, systemClock } from './retry-policy';
import { RetriesExhausted, RetryAborted, RetryHooks, retrying } from './retrying';
import { classifyFailure } from './failure-classifier';

type EventEntry = Extract<Entry, { kind: 'event' }>;
interface Failure {
  original: OriginalRecord;
  error: DlqError;
}

/** Some documents of a bulk insert failed for a reason other than a duplicate. */
class DocumentsFailed extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DocumentsFailed';
  }
}

/**
 * One flush of one partition: store the events (one unordered bulk insert, duplicates counted),
 * retry per the policy, dead-letter what cannot be stored, forward to analytics, then commit the
 * range. Never rejects: an aborted flush commits nothing, so its records come back.
 */
@Injectable()
export class BatchFlusher {
  private readonly logger = new Logger('Ingestion');
  readonly policy: RetryPolicy;
  clock: Clock = systemClock;
  /** Set while the app shuts down and its flush deadline passed: loops stop retrying. */
  aborted = false;

  constructor(
    private readonly config: ConsumerConfig,
    private readonly repository: ActivityRepository,
    private readonly kafka: KafkaClients,
    private readonly port: ConsumerPort,
    private readonly metrics: Metrics,
    private readonly analytics: AnalyticsForwarder,
  ) {
    this.policy = new RetryPolicy(config.ingestion.retry);
  }

  async flush(buffer: PartitionBuffer, entries: Entry[]): Promise<void> {
    const started = process.hrtime.bigint();
    let held = false;
    const hooks = this.hooks(buffer, () => {
      if (!held) this.port.pause(buffer.topic, [buffer.partition]);
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
        () => this.kafka.dlq.publish(failures),
        () => 'transient',
      );
      this.record(buffer, stored, duplicates, failures);
      this.analytics.forward(buffer.partition, stored);
      await this.commit(buffer, entries);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.flushSize.observe(events.length);
      this.metrics.flushDuration.observe(seconds);
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
      if (held && !buffer.revoked) this.port.resume(buffer.topic, [buffer.partition]);
    }
  }

  private hooks(buffer: PartitionBuffer, hold: () => void): RetryHooks {
    return {
      clock: this.clock,
      policy: this.policy,
      logger: this.logger,
      heartbeatEveryMs: Math.max(100, this.config.consumer.heartbeatIntervalMs),
      heartbeat: () => this.port.heartbeat(),
      hold,
      cancelled: () => buffer.revoked || this.aborted,
      onRetry: (kind, retry, delayMs, error, events = 1) => {
        this.metrics.eventsConsumed.inc({ outcome: 'retried' }, events);
        this.logger.error({
          msg: kind === 'transient' ? 'dependency unavailable, holding the partition' : 'retrying',
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

  /** Inserts the events; per-document failures are retried alone, then dead-lettered. */
  private async store(events: EventEntry[], hooks: RetryHooks) {
    const stored: StoredActivity[] = [];
    const duplicates: EventEntry[] = [];
    const failures: Failure[] = [];
    let todo = events;
    try {
      await retrying(
        { ...hooks, onRetry: (k, r, d, e) => hooks.onRetry(k, r, d, e, todo.length) },
        async () => {
          const outcome = await this.repository.insertMany(todo.map((e) => e.doc));
          for (const i of outcome.inserted) stored.push(todo[i].doc);
          for (const i of outcome.duplicates) duplicates.push(todo[i]);
          if (outcome.failures.length === 0) return;
          const reason = outcome.failures[0].message;
          todo = outcome.failures.map((f) => todo[f.index]);
          throw new DocumentsFailed(reason);
        },
        (error) => (error instanceof DocumentsFailed ? 'other' : classifyFailure(error)),
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

  private failure(
    original: OriginalRecord,
    code: ErrorCode,
    message: string,
    retryCount: number,
  ): Failure {
    return { original, error: { code, message, timestamp: new Date().toISOString(), retryCount } };
  }

  private record(
    buffer: PartitionBuffer,
    stored: StoredActivity[],
    duplicates: EventEntry[],
    failures: Failure[],
  ): void {
    const where = { topic: buffer.topic, partition: buffer.partition };
    this.metrics.eventsConsumed.inc({ outcome: 'stored' }, stored.length);
    this.metrics.eventsConsumed.inc({ outcome: 'duplicate' }, duplicates.length);
    this.metrics.eventsConsumed.inc({ outcome: 'dead_lettered' }, failures.length);
    for (const doc of stored) {
      this.logger.debug({
        msg: 'stored',
        eventId: doc.eventId,
        ...where,
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
      this.metrics.dlqRecords.inc({ code: f.error.code });
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
    this.port.seek(buffer.topic, buffer.partition, buffer.resumeFrom.toString());
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
      await this.port.commit(buffer.topic, buffer.partition, next.toString());
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
