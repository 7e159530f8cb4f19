import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ActivityRepository, ActivityStoreModule } from '@app/activity-store';
import { ContractsModule } from '@app/contracts';
import { IngestionModule } from '@app/ingestion';
import { KafkaModule } from '@app/kafka-admin';
import { AppConfigModule, PlatformModule } from '@app/platform';
import { ActivitiesController } from './activities/activities.controller';
import { ActivityQueryService } from './activities/activity-query.service';
import { ConsumerConfig, loadConsumerConfig } from './config/consumer.config';
import { HealthController } from './health/health.controller';

const store = ActivityStoreModule.forRootAsync({
  inject: [ConsumerConfig],
  useFactory: (c: ConsumerConfig) => ({
    collection: c.mongo.collection,
    readIndexes: c.mongo.readIndexes,
  }),
});

/** Kafka in → MongoDB out (the ingestion engine with the MongoDB sink), plus the read API. */
@Module({
  imports: [
    AppConfigModule.forRoot({ token: ConsumerConfig, load: loadConsumerConfig }),
    PlatformModule.forRootAsync({
      inject: [ConsumerConfig],
      useFactory: (c: ConsumerConfig) => c.platform,
    }),
    KafkaModule.forRootAsync({
      inject: [ConsumerConfig],
      useFactory: (c: ConsumerConfig) => c.kafkaModule,
    }),
    ContractsModule.forRootAsync({
      inject: [ConsumerConfig],
      useFactory: (c: ConsumerConfig) => ({ activityTypes: c.activityTypesExtra }),
    }),
    MongooseModule.forRootAsync({
      inject: [ConsumerConfig],
      useFactory: (c: ConsumerConfig) => ({
        uri: c.mongo.uri,
        appName: c.ingestion.clientId,
        serverSelectionTimeoutMS: c.mongo.serverSelectionTimeoutMs,
        // The repository creates the indexes the server can use (activity-indexes.ts).
        autoIndex: false,
        autoCreate: false,
        // Fail fast while the database is away, with the driver's own errors: the ingestion
        // engine classifies them (transient: the partition waits) instead of Mongoose queueing.
        bufferCommands: false,
        // Connected in the background; ActivityRepository awaits it at init. Creating the app
        // without initialising it (the OpenAPI document) then contacts no database.
        lazyConnection: true,
      }),
    }),
    store,
    IngestionModule.forRootAsync({
      imports: [store],
      sink: ActivityRepository,
      inject: [ConsumerConfig],
      useFactory: (c: ConsumerConfig) => c.ingestion,
    }),
  ],
  controllers: [ActivitiesController, HealthController],
  providers: [ActivityQueryService],
})
export class ConsumerModule {}
