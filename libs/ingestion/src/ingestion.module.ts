import { DynamicModule, Module } from '@nestjs/common';
import { KafkaOptions } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { KAFKA_MODULE_OPTIONS, KafkaModuleOptions, kafkaClientConfig } from '@app/kafka-admin';
import { AnalyticsForwarder } from './analytics/analytics-forwarder';
import { ANALYTICS_RULES, AnalyticsRule } from './analytics/analytics-rule';
import { FailedLoginRule } from './analytics/failed-login.rule';
import { BatchFlusher } from './flush/batch-flusher';
import { ConsumerGroupHealthIndicator } from './health/group.health';
import {
  INGESTION_OPTIONS,
  IngestionModuleAsyncOptions,
  IngestionOptions,
} from './ingestion.options';
import { LagMonitor } from './lag/lag-monitor';
import { ActivityRecordsController } from './records/activity-records.controller';
import { RecordIntake } from './records/record-intake.service';
import { ACTIVITY_SINK } from './sink/activity-sink';
import { ConsumerHandle } from './transport/consumer-handle';
import { GroupMembership } from './transport/group-membership';
import { IngestionKafkaServer } from './transport/ingestion-kafka.server';
import { INGESTION_TOPIC } from './transport/ingestion-topic';

/** Nest's Kafka transport options for the engine's consumer group. */
export function ingestionTransportOptions(
  kafka: KafkaModuleOptions,
  options: IngestionOptions,
): Required<KafkaOptions>['options'] {
  return {
    // The configured group id is exact: no "-server" suffix.
    postfixId: '',
    client: kafkaClientConfig(kafka, options.clientId),
    consumer: {
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      retry: kafka.connection.retry,
      metadataMaxAge: kafka.connection.metadataMaxAgeMs,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: options.fetchMaxBytesPerPartition,
      maxBytes: options.fetchMaxBytes,
      // Only committed records (the producer-api may write in transactions): set, not assumed.
      readUncommitted: false,
    },
    // Offsets are committed by the engine after the write, never automatically.
    run: { autoCommit: false, partitionsConsumedConcurrently: options.partitionsConcurrently },
    subscribe: { fromBeginning: true },
    // Keep the value as bytes: invalid records reach the DLQ byte for byte.
    parser: { keepBinary: true },
  };
}

/**
 * The ingestion engine: a consumer group on Nest's Kafka transport that validates each record
 * (contracts), buffers it per partition, writes each flush through the app's sink, retries by the
 * failure's kind with the partition paused, dead-letters what cannot be stored (naming the group),
 * commits a partition's offsets only after its records were stored or dead-lettered, survives
 * rebalances and SIGTERM without loss, forwards stored events to analytics rules, and reports
 * metrics (labelled by group) and readiness. Needs KafkaModule, ContractsModule and PlatformModule
 * (metrics) in the app; the app connects the transport with `connectIngestion(app)`.
 *
 *   IngestionModule.forRootAsync({
 *     imports: [ActivityStoreModule], sink: ActivityRepository,
 *     inject: [AppConfig], useFactory: (c: AppConfig) => c.ingestion,
 *   })
 */
@Module({})
export class IngestionModule {
  static forRootAsync(options: IngestionModuleAsyncOptions): DynamicModule {
    const rules = [FailedLoginRule, ...(options.analyticsRules ?? [])];
    return {
      module: IngestionModule,
      imports: [...(options.imports ?? []), TerminusModule],
      controllers: [ActivityRecordsController],
      providers: [
        {
          provide: INGESTION_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory as (...args: unknown[]) => IngestionOptions,
        },
        {
          provide: INGESTION_TOPIC,
          inject: [INGESTION_OPTIONS, KAFKA_MODULE_OPTIONS],
          useFactory: (o: IngestionOptions, kafka: KafkaModuleOptions) =>
            o.topic ?? kafka.topics.activity.name,
        },
        typeof options.sink === 'object' && 'useClass' in options.sink
          ? { provide: ACTIVITY_SINK, useClass: options.sink.useClass }
          : { provide: ACTIVITY_SINK, useExisting: options.sink },
        ...rules,
        {
          provide: ANALYTICS_RULES,
          inject: rules,
          useFactory: (...instances: AnalyticsRule[]) => instances,
        },
        {
          provide: IngestionKafkaServer,
          inject: [KAFKA_MODULE_OPTIONS, INGESTION_OPTIONS, ConsumerHandle, INGESTION_TOPIC],
          useFactory: (
            kafka: KafkaModuleOptions,
            o: IngestionOptions,
            handle: ConsumerHandle,
            topic: string,
          ) => new IngestionKafkaServer(ingestionTransportOptions(kafka, o), handle, topic),
        },
        GroupMembership,
        ConsumerHandle,
        AnalyticsForwarder,
        BatchFlusher,
        RecordIntake,
        LagMonitor,
        ConsumerGroupHealthIndicator,
      ],
      exports: [
        ACTIVITY_SINK,
        INGESTION_OPTIONS,
        INGESTION_TOPIC,
        IngestionKafkaServer,
        GroupMembership,
        ConsumerGroupHealthIndicator,
        ANALYTICS_RULES,
      ],
    };
  }
}
