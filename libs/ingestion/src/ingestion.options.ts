import type { InjectionToken, ModuleMetadata, Type } from '@nestjs/common';
import type { AnalyticsRule } from './analytics/analytics-rule';
import type { ActivitySink } from './sink/activity-sink';

export interface RetrySettings {
  immediateAttempts: number;
  immediateDelayMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Backoff steps for unclassified failures before the DLQ (transient ones never give up). */
  backoffSteps: number;
}

export interface FailedLoginSettings {
  threshold: number;
  windowMs: number;
  maxTrackedUsers: number;
}

export interface AnalyticsSettings {
  /** Activity types whose stored events are forwarded (as a projection without metadata). */
  activityTypes: readonly string[];
  /** The repeated-failed-login rule; off when absent. */
  failedLogin?: FailedLoginSettings;
}

export interface IngestionOptions {
  /** The consumer group; it owns its offsets, its DLQ entries and its metrics label. */
  groupId: string;
  /** kafkajs clientId of the group's consumer. */
  clientId: string;
  /** Default: KafkaModule's activity topic. */
  topic?: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** A partition's buffer is flushed at this many records ... */
  flushMaxEvents: number;
  /** ... or this long after its first record. */
  flushIntervalMs: number;
  /** kafkajs partitionsConsumedConcurrently: one partition's flush must not hold up the others. */
  partitionsConcurrently: number;
  /** kafkajs maxBytesPerPartition and maxBytes (compressed bytes). */
  fetchMaxBytesPerPartition: number;
  fetchMaxBytes: number;
  retry: RetrySettings;
  /**
   * Longest one sink write may take before it counts as a transient failure and is retried (the
   * sink must take a repeated write of an eventId as a duplicate anyway). Heartbeats continue
   * meanwhile, so a slow store never costs the group its membership.
   */
  sinkWriteTimeoutMs: number;
  /** On SIGTERM: how long buffered records may take to be stored and committed. */
  shutdownFlushTimeoutMs: number;
  /** Refresh of the consumer-lag gauge; 0 turns it off. */
  lagIntervalMs: number;
  /** Forward newly stored events (and rule alerts) to KafkaModule's analytics topic; off when absent. */
  analytics?: AnalyticsSettings;
}

/** The defaults of apps/consumer (README "Consumer behaviour"); apps override what they need. */
export const DEFAULT_INGESTION: Omit<IngestionOptions, 'groupId' | 'clientId'> = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3000,
  flushMaxEvents: 500,
  flushIntervalMs: 50,
  partitionsConcurrently: 3,
  fetchMaxBytesPerPartition: 32 * 1024,
  fetchMaxBytes: 1024 * 1024,
  retry: {
    immediateAttempts: 3,
    immediateDelayMs: 100,
    backoffBaseMs: 500,
    backoffMaxMs: 300_000,
    backoffSteps: 3,
  },
  sinkWriteTimeoutMs: 30_000,
  shutdownFlushTimeoutMs: 10_000,
  lagIntervalMs: 10_000,
};

export const INGESTION_OPTIONS: InjectionToken<IngestionOptions> = Symbol('INGESTION_OPTIONS');

export interface IngestionModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => IngestionOptions | Promise<IngestionOptions>;
  /**
   * Where the events go: the token of a provider available to the module, e.g. a repository that
   * a module in `imports` exports (`imports: [ActivityStoreModule], sink: ActivityRepository`),
   * or `{ useClass }` for a sink the module creates itself, with `imports` in its reach (the app
   * then injects it as ACTIVITY_SINK).
   */
  sink: InjectionToken<ActivitySink> | { useClass: Type<ActivitySink> };
  /** Analytics rules, instantiated by dependency injection (their own providers may be injected). */
  analyticsRules?: Type<AnalyticsRule>[];
}
