import type { InjectionToken } from '@nestjs/common';
import type { ActivityEvent } from '@app/contracts';

/** A valid event as the engine hands it to a sink: where it came from and when it arrived. */
export interface IngestedActivity extends ActivityEvent {
  kafka: { topic: string; partition: number; offset: string };
  /** When the consumer took the record off Kafka. */
  receivedAt: Date;
}

/**
 * How a failure is treated. `transient`: a dependency is down; the partition is paused and the
 * write retried with backoff until it succeeds (never dead-lettered for it). `permanent`: no retry
 * can help; dead-lettered at once. `other`: unclassified; a few retries, then dead-lettered.
 */
export type FailureKind = 'transient' | 'permanent' | 'other';

export interface SinkFailure {
  /** Index into the events of the write call. */
  index: number;
  kind: FailureKind;
  /** Why, for logs and the DLQ envelope. */
  reason: string;
}

/** What one write call did with each event: every index in exactly one list. */
export interface SinkWriteResult {
  stored: number[];
  /** Already stored earlier (a redelivery after a crash or rebalance): counted, not written twice. */
  duplicates: number[];
  failed: SinkFailure[];
}

/**
 * Where a consumer group's events go. The engine calls `write` with the events of one flush of one
 * partition (in offset order), commits the partition's offsets only after the call answered for
 * every event, and retries or dead-letters the failed ones by their kind. A sink must make a
 * repeated write of the same eventId harmless (a duplicate): that is what makes redelivery safe.
 *
 * Throwing means the whole call failed; `classify` then says how (default: the engine's own
 * classification of network and Kafka errors, else `other`).
 */
export interface ActivitySink {
  write(events: readonly IngestedActivity[]): Promise<SinkWriteResult>;
  classify?(error: unknown): FailureKind;
}

/** The sink of the ingestion engine (IngestionModule's `sink` option provides it). */
export const ACTIVITY_SINK: InjectionToken<ActivitySink> = Symbol('ACTIVITY_SINK');
