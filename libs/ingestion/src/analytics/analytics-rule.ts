import type { InjectionToken } from '@nestjs/common';
import type { IngestedActivity } from '../sink/activity-sink';

/** A record a rule emits onto the analytics topic, keyed by `userId`. */
export interface AnalyticsAlert {
  kind: 'alert';
  /** The rule's name. */
  rule: string;
  userId: string;
  [detail: string]: unknown;
}

/**
 * An analytics rule: sees the newly stored events of a partition (offset order, never a duplicate)
 * and may emit alerts. All of a user's events arrive on one partition, so state kept per partition
 * sees a user's whole stream; it belongs to that partition and is dropped when the partition is
 * revoked (the next owner starts empty). Rules run after the events are stored and must be cheap:
 * they are on the consumer's hot path.
 */
export interface AnalyticsRule {
  readonly name: string;
  observe(partition: number, events: readonly IngestedActivity[]): AnalyticsAlert[];
  dropPartition?(partition: number): void;
}

/** Every rule of the engine, built-in and the app's (IngestionModule's `analyticsRules`). */
export const ANALYTICS_RULES: InjectionToken<readonly AnalyticsRule[]> = Symbol('ANALYTICS_RULES');
