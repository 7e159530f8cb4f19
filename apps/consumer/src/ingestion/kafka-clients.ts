import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Admin, Kafka, Producer, logLevel } from 'kafkajs';
import {
  DlqPublisher,
  TopicProvisioner,
  buildKafkaConfig,
  kafkaConfigurationProblem,
} from '@app/kafka-admin';
import { kafkaLogCreator } from '@app/platform';
import { ConsumerConfig } from '../config/consumer.config';

/**
 * Kafka clients the consumer owns beside Nest's transport: an admin client (provisioning, health,
 * lag) and an idempotent producer for the DLQ and analytics topics. Disconnected on application
 * shutdown, after the transport stopped, so the last flush can still dead-letter.
 */
@Injectable()
export class KafkaClients implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaClients.name);
  readonly admin: Admin;
  readonly producer: Producer;
  readonly dlq: DlqPublisher;

  constructor(private readonly config: ConsumerConfig) {
    const kafka = new Kafka({
      ...buildKafkaConfig(config.kafka.connection, `${config.consumer.clientId}-admin`),
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator,
    });
    this.admin = kafka.admin();
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.dlq = new DlqPublisher(this.producer, config.kafka.topics.deadLetter.name);
  }

  async onModuleInit(): Promise<void> {
    await this.admin.connect().catch((error: unknown) => {
      const problem = kafkaConfigurationProblem(error);
      throw problem ? new Error(problem) : error;
    });
    if (this.config.kafka.provisionTopics) {
      await new TopicProvisioner(this.admin, this.logger).provision(
        Object.values(this.config.kafka.topics),
      );
    }
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
