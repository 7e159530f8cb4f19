import { Injectable, Logger } from '@nestjs/common';
import { CompressionTypes } from 'kafkajs';
import { ConsumerConfig } from '../config/consumer.config';
import { KafkaClients } from '../ingestion/kafka-clients';
import { StoredActivity } from '../storage/stored-activity';
import { FailedLoginDetector } from './failed-login-detector';

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
 * stored and a failure is logged, never retried, so analytics can never hold up ingestion.
 * Redelivered events are duplicates and not forwarded again.
 */
@Injectable()
export class AnalyticsForwarder {
  private readonly logger = new Logger(AnalyticsForwarder.name);
  private readonly types: ReadonlySet<string>;
  /** Window state per partition of the activity topic; dropped when the partition is revoked. */
  private readonly detectors = new Map<number, FailedLoginDetector>();

  constructor(
    private readonly config: ConsumerConfig,
    private readonly kafka: KafkaClients,
  ) {
    this.types = new Set(config.analytics.activityTypes);
  }

  async forward(partition: number, stored: readonly StoredActivity[]): Promise<void> {
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
    if (messages.length === 0) return;
    try {
      await this.kafka.producer.send({
        topic: this.config.kafka.topics.analytics.name,
        compression: CompressionTypes.GZIP,
        messages,
      });
    } catch (error) {
      this.logger.warn({
        msg: 'analytics records not sent',
        count: messages.length,
        error: String(error),
      });
    }
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
