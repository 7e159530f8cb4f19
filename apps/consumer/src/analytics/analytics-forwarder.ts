import { Injectable, Logger } from '@nestjs/common';
import { CompressionTypes } from 'kafkajs';
import { ConsumerConfig } from '../config/consumer.config';
import { KafkaClients } from '../ingestion/kafka-clients';
import { StoredActivity } from '../storage/stored-activity';
import { FailedLoginDetector } from './failed-login-detector';

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
 * Feeds the optional analytics topic: a projection of newly stored events of the configured types,
 * and alert records from the failed-login detector. Best effort: it runs after the events are
 * stored, is not awaited, and a failure is logged, never retried, so it can never hold up ingestion.
 * Redelivered events are duplicates and not forwarded again.
 */
@Injectable()
export class AnalyticsForwarder {
  private readonly logger = new Logger(AnalyticsForwarder.name);
  private readonly types: ReadonlySet<string>;
  /** Window state per partition of the activity topic; dropped when the partition is revoked. */
  private readonly detectors = new Map<number, FailedLoginDetector>();
  private sending = 0;

  constructor(
    private readonly config: ConsumerConfig,
    private readonly kafka: KafkaClients,
  ) {
    this.types = new Set(config.analytics.activityTypes);
  }

  forward(partition: number, stored: readonly StoredActivity[]): void {
    if (!this.config.analytics.enabled || stored.length === 0) return;
    const detector = this.detector(partition);
    const messages: { key: string; value: string }[] = [];
    for (const doc of stored) {
      if (this.types.has(doc.activityType)) {
        messages.push({ key: doc.userId, value: JSON.stringify(project(doc)) });
      }
      const alert = detector.observe(doc);
      if (alert) {
        this.logger.warn({
          msg: 'suspicious activity',
          ...alert,
          eventIds: undefined,
          eventId: doc.eventId,
        });
        messages.push({ key: alert.userId, value: JSON.stringify(alert) });
      }
    }
    if (messages.length > 0) this.send(messages);
  }

  /** Not awaited: a slow or missing analytics topic must not slow storage down. Bounded. */
  private send(messages: { key: string; value: string }[]): void {
    if (this.sending >= MAX_PENDING_SENDS) {
      this.logger.warn({
        msg: 'analytics records dropped: too many sends pending',
        count: messages.length,
      });
      return;
    }
    this.sending += 1;
    this.kafka.producer
      .send({
        topic: this.config.kafka.topics.analytics.name,
        compression: CompressionTypes.GZIP,
        messages,
      })
      .catch((error: unknown) =>
        this.logger.warn({
          msg: 'analytics records not sent',
          count: messages.length,
          error: String(error),
        }),
      )
      .finally(() => (this.sending -= 1));
  }

  /** The partition moved to another instance: its window state goes with it (i.e. is dropped). */
  dropPartition(partition: number): void {
    this.detectors.delete(partition);
  }

  private detector(partition: number): FailedLoginDetector {
    let detector = this.detectors.get(partition);
    if (!detector) {
      const a = this.config.analytics;
      detector = new FailedLoginDetector(
        a.failedLoginThreshold,
        a.failedLoginWindowMs,
        a.maxTrackedUsers,
      );
      this.detectors.set(partition, detector);
    }
    return detector;
  }
}

function project(doc: StoredActivity): AnalyticsProjection {
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
