import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { ContractsModule } from '@app/contracts';
import {
  KAFKA_MODULE_OPTIONS,
  KafkaModule,
  KafkaModuleOptions,
  kafkaClientConfig,
} from '@app/kafka-admin';
import { AppConfigModule, PlatformModule } from '@app/platform';
import { ActivitiesController } from './activities/activities.controller';
import { ActivityIntakeService } from './activities/activity-intake.service';
import { IntakeAdmission } from './activities/intake-admission';
import { ProducerApiConfig, loadProducerApiConfig } from './config/producer-api.config';
import { HealthController } from './health/health.controller';
import { ACTIVITY_KAFKA_CLIENT, ActivityKafkaClient } from './kafka/activity-kafka.client';
import { ActivityPublisher } from './kafka/activity.publisher';
import { ensureCompressionCodec } from './kafka/compression';

/** HTTP in → Kafka out: validated events published with acks=all through Nest's Kafka client. */
@Module({
  imports: [
    AppConfigModule.forRoot({ token: ProducerApiConfig, load: loadProducerApiConfig }),
    PlatformModule.forRootAsync({
      inject: [ProducerApiConfig],
      useFactory: (c: ProducerApiConfig) => c.platform,
    }),
    KafkaModule.forRootAsync({
      inject: [ProducerApiConfig],
      useFactory: (c: ProducerApiConfig) => c.kafkaModule,
    }),
    ContractsModule.forRootAsync({
      inject: [ProducerApiConfig],
      useFactory: (c: ProducerApiConfig) => ({ activityTypes: c.activityTypesExtra }),
    }),
    ClientsModule.registerAsync([
      {
        name: ACTIVITY_KAFKA_CLIENT,
        inject: [ProducerApiConfig, KAFKA_MODULE_OPTIONS],
        useFactory: (c: ProducerApiConfig, kafka: KafkaModuleOptions) => ({
          customClass: ActivityKafkaClient,
          options: {
            // The configured client id is exact: no "-client" suffix.
            postfixId: '',
            producerOnlyMode: true,
            client: kafkaClientConfig(kafka, c.producer.clientId),
            producer: {
              idempotent: c.producer.idempotent,
              maxInFlightRequests: 1,
              allowAutoTopicCreation: false,
              retry: c.kafka.connection.retry,
              metadataMaxAge: c.kafka.connection.metadataMaxAgeMs,
              createPartitioner: Partitioners.DefaultPartitioner,
              ...(c.producer.transactions
                ? {
                    transactionalId: c.producer.transactions.transactionalId,
                    transactionTimeout: c.producer.transactions.timeoutMs,
                    // See PRODUCER_TRANSACTION_RETRY_MS: the next transaction waits for the
                    // previous one's markers; retried fast, each costs ~20 ms instead of ~300.
                    retry: {
                      initialRetryTime: c.producer.transactions.retryMs,
                      maxRetryTime: 1000,
                      retries: 30,
                    },
                  }
                : {}),
            },
            // Every produce call: acks=all, the configured compression, the send deadline.
            send: {
              acks: -1,
              // A codec package that is missing stops the app here, naming it.
              compression: ensureCompressionCodec(c.producer.compression, c.producer.gzipLevel),
              timeout: c.producer.sendTimeoutMs,
            },
          },
        }),
      },
    ]),
  ],
  controllers: [ActivitiesController, HealthController],
  providers: [ActivityPublisher, ActivityIntakeService, IntakeAdmission],
})
export class ProducerApiModule {}
