import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { readGroupLag } from '@app/kafka-admin';
import { Metrics } from '@app/platform';
import { ConsumerConfig } from '../config/consumer.config';
import { KafkaClients } from './kafka-clients';

/** Refreshes the consumer-lag gauge from the group's committed offsets, as Kafka's tools compute it. */
@Injectable()
export class LagMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LagMonitor.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: ConsumerConfig,
    private readonly kafka: KafkaClients,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.ingestion.lagIntervalMs;
    if (every > 0) this.timer = setInterval(() => void this.refresh(), every);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      const rows = await readGroupLag(this.kafka.admin, this.config.consumer.groupId, [
        this.config.kafka.topics.activity.name,
      ]);
      for (const row of rows) {
        this.metrics.consumerLag.set(
          { topic: row.topic, partition: String(row.partition) },
          Number(row.lag),
        );
      }
    } catch (error) {
      this.logger.warn({ msg: 'consumer lag not refreshed', error: String(error) });
    }
  }
}
