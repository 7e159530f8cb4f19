import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { ConsumerPort } from './consumer-port';

/**
 * Nest's Kafka server, plus one thing it lacks: the consumer's group events (join, rebalance,
 * crash) reach the ingestion service, registered before the consumer first joins the group.
 */
export class IngestionKafkaServer extends ServerKafka {
  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly port: ConsumerPort,
  ) {
    super(options);
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    if (this.consumer) this.port.attach(this.consumer);
  }
}
