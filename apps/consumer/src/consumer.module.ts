import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { ActivityEventValidator, ActivityTypeRegistry } from '@app/contracts';
import { KafkaHealthIndicator } from '@app/platform';
import { ActivitiesController } from './activities/activities.controller';
import { ConsumerConfig } from './config/consumer.config';
import { HealthController } from './health/health.controller';
import { MongoHealthIndicator } from './health/mongo.health';
import { activityEventsController } from './ingestion/activity-events.controller';
import { ActivityIngestionService } from './ingestion/activity-ingestion.service';
import { KafkaClients } from './ingestion/kafka-clients';
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
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
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
        MongoConnection,
        ActivityRepository,
        KafkaClients,
        ActivityIngestionService,
        KafkaHealthIndicator,
        MongoHealthIndicator,
      ],
    };
  }
}
