import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { ActivityEventValidator, ActivityTypeRegistry, ValueCodec } from '@app/contracts';
import { createValueCodec } from '@app/kafka-admin';
import { HealthCheckLogger, KafkaHealthIndicator, MetricsModule } from '@app/platform';
import { ActivitiesController } from './activities/activities.controller';
import { ActivityQueryService } from './activities/activity-query.service';
import { AnalyticsForwarder } from './analytics/analytics-forwarder';
import { ConsumerConfig } from './config/consumer.config';
import { ConsumerGroupHealthIndicator } from './health/group.health';
import { HealthController } from './health/health.controller';
import { MongoHealthIndicator } from './health/mongo.health';
import { activityEventsController } from './ingestion/activity-events.controller';
import { ActivityIngestionService } from './ingestion/activity-ingestion.service';
import { BatchFlusher } from './ingestion/batch-flusher';
import { ConsumerPort } from './ingestion/consumer-port';
import { GroupMembership } from './ingestion/group-membership';
import { KafkaClients } from './ingestion/kafka-clients';
import { LagMonitor } from './ingestion/lag-monitor';
import { ActivityRepository } from './storage/activity.repository';
import { MongoConnection } from './storage/mongo.client';

/** Built from the validated config because the Kafka handler's topic is configuration. */
@Module({})
export class ConsumerModule {
  static forRoot(config: ConsumerConfig): DynamicModule {
    return {
      module: ConsumerModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger }),
        MetricsModule,
      ],
      controllers: [
        activityEventsController(config.kafka.topics.activity.name),
        ActivitiesController,
        HealthController,
      ],
      providers: [
        { provide: ConsumerConfig, useValue: config },
        {
          provide: ActivityEventValidator,
          useFactory: () =>
            new ActivityEventValidator(new ActivityTypeRegistry(config.activityTypesExtra)),
        },
        {
          provide: ValueCodec,
          useFactory: () => createValueCodec(config.values, config.kafka.topics.activity.name),
        },
        MongoConnection,
        ActivityRepository,
        KafkaClients,
        GroupMembership,
        ConsumerPort,
        AnalyticsForwarder,
        BatchFlusher,
        ActivityIngestionService,
        LagMonitor,
        ActivityQueryService,
        KafkaHealthIndicator,
        MongoHealthIndicator,
        ConsumerGroupHealthIndicator,
      ],
      exports: [GroupMembership],
    };
  }
}
