import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { ActivityEventValidator, ActivityTypeRegistry, ValueCodec } from '@app/contracts';
import { createValueCodec } from '@app/kafka-admin';
import { HealthCheckLogger, KafkaHealthIndicator, MetricsModule } from '@app/platform';
import { ActivitiesController } from './activities/activities.controller';
import { ActivityIngestService } from './activities/activity-ingest.service';
import { ActivityPublisher } from './activities/activity.publisher';
import { ProducerApiConfig, loadProducerApiConfig } from './config/producer-api.config';
import { HealthController } from './health/health.controller';

@Module({
  imports: [
    ConfigModule.forRoot({
      ignoreEnvFile: false,
      validate: (env) => ({ producerApi: loadProducerApiConfig(env) }),
    }),
    TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger }),
    MetricsModule,
  ],
  controllers: [ActivitiesController, HealthController],
  providers: [
    {
      provide: ProducerApiConfig,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow<ProducerApiConfig>('producerApi'),
    },
    {
      provide: ActivityEventValidator,
      inject: [ProducerApiConfig],
      useFactory: (config: ProducerApiConfig) =>
        new ActivityEventValidator(new ActivityTypeRegistry(config.activityTypesExtra)),
    },
    {
      // Avro: the schema is registered at boot; an unreachable registry stops the app, named.
      provide: ValueCodec,
      inject: [ProducerApiConfig],
      useFactory: async (config: ProducerApiConfig) => {
        const codec = createValueCodec(config.values, config.kafka.topics.activity.name);
        await codec.prepare();
        return codec;
      },
    },
    ActivityPublisher,
    ActivityIngestService,
    KafkaHealthIndicator,
  ],
})
export class ProducerApiModule {}
