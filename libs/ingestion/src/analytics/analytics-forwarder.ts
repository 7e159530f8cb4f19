import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CompressionTypes, Kafka, Producer } from 'kafkajs';
import { KAFKA_MODULE_OPTIONS, KafkaModuleOptions } from '@app/kafka-admin';
import { INGESTION_OPTIONS, IngestionOptions } from '../ingestion.options';
import type { IngestedActivity } from '../sink/activity-sink';
import { ANALYTICS_RULES, AnalyticsRule } from './analytics-rule';

const MAX_PENDING_SENDS = 100;

/** What analytics consumers get of a stored event: no metadata (it may hold personal data). */
export interface AnalyticsProjection {
  kind: 'event';
  eventId: string;
  userId: string;
  activityType: string;
  timestamp: string;
  partition: number;
  offset: string;
}

/**
 * Feeds the analytics topic: a projection of newly stored events of the configured types, and the
 * alerts of the analytics rules. Best effort: it runs after the events are stored, is not awaited,
 * and a failure is logged, never retried, so it can never hold up ingestion. Redelivered events are
 * duplicates and not forwarded again.
 */
@Injectable()
export class AnalyticsForwarder implements OnApplicationShutdown {
  private readonly logger = new Logger(AnalyticsForwarder.name);
  private readonly types: ReadonlySet<string>;
  private readonly topic: string;
  private readonly producer: Producer | null;
  private connected?: Promise<void>;
  private sending = 0;

  constructor(
    @Inject(INGESTION_OPTIONS) private readonly options: IngestionOptions,
    @Inject(KAFKA_MODULE_OPTIONS) kafkaOptions: KafkaModuleOptions,
    @Inject(Kafka) kafka: Kafka,
    @Inject(ANALYTICS_RULES) private readonly rules: readonly AnalyticsRule[],
  ) {
    this.types = new Set(options.analytics?.activityTypes ?? []);
    this.topic = kafkaOptions.topics.analytics.name;
    this.producer = options.analytics
      ? kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
      : null;
  }

  forward(partition: number, stored: readonly IngestedActivity[]): void {
    if (!this.producer || stored.length === 0) return;
    const messages: { key: string; value: string }[] = [];
    for (const doc of stored) {
      if (this.types.has(doc.activityType)) {
        messages.push({ key: doc.userId, value: JSON.stringify(project(doc)) });
      }
    }
    for (const rule of this.rules) {
      for (const alert of rule.observe(partition, stored)) {
        this.logger.warn({ msg: 'suspicious activity', ...alert });
        messages.push({ key: alert.userId, value: JSON.stringify(alert) });
      }
    }
    if (messages.length > 0) this.send(this.producer, messages);
  }

  /** The partition moved to another instance: the rules' state for it goes with it (is dropped). */
  dropPartition(partition: number): void {
    for (const rule of this.rules) rule.dropPartition?.(partition);
  }

  /** Not awaited: a slow or missing analytics topic must not slow storage down. Bounded. */
  private send(producer: Producer, messages: { key: string; value: string }[]): void {
    if (this.sending >= MAX_PENDING_SENDS) {
      this.logger.warn({
        msg: 'analytics records dropped: too many sends pending',
        count: messages.length,
      });
      return;
    }
    this.sending += 1;
    this.connect(producer)
      .then(() =>
        producer.send({ topic: this.topic, compression: CompressionTypes.GZIP, messages }),
      )
      .catch((error: unknown) =>
        this.logger.warn({
          msg: 'analytics records not sent',
          count: messages.length,
          error: String(error),
        }),
      )
      .finally(() => (this.sending -= 1));
  }

  private connect(producer: Producer): Promise<void> {
    this.connected ??= producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect();
  }
}

function project(doc: IngestedActivity): AnalyticsProjection {
  return {
    kind: 'event',
    eventId: doc.eventId,
    userId: doc.userId,
    activityType: doc.activityType,
    timestamp: doc.timestamp,
    partition: doc.kafka.partition,
    offset: doc.kafka.offset,
  };
}
