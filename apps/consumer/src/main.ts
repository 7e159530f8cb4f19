import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { KafkaOptions, MicroserviceOptions } from '@nestjs/microservices';
import { buildKafkaConfig } from '@app/kafka-admin';
import { buildOpenApiDocument, createHttpApp, kafkaLogCreator, setupSwagger } from '@app/platform';
import { ConsumerConfig, loadConsumerConfig } from './config/consumer.config';
import { ConsumerModule } from './consumer.module';
import { ConsumerPort } from './ingestion/consumer-port';
import { IngestionKafkaServer } from './ingestion/ingestion-kafka.server';
import { OPENAPI_INFO } from './openapi-info';

export { OPENAPI_INFO };

export function kafkaTransportOptions(config: ConsumerConfig): Required<KafkaOptions>['options'] {
  return {
    // The spec's group id is exact: no "-server" suffix.
    postfixId: '',
    // kafkajs lines as structured JSON fields, like every other log line.
    client: {
      ...buildKafkaConfig(config.kafka.connection, config.consumer.clientId),
      logCreator: kafkaLogCreator,
    },
    consumer: {
      groupId: config.consumer.groupId,
      sessionTimeout: config.consumer.sessionTimeoutMs,
      heartbeatInterval: config.consumer.heartbeatIntervalMs,
      retry: config.kafka.connection.retry,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: config.ingestion.fetchMaxBytesPerPartition,
      maxBytes: config.ingestion.fetchMaxBytes,
    },
    // Offsets are committed by the ingestion service after the write, never automatically.
    run: {
      autoCommit: false,
      partitionsConsumedConcurrently: config.ingestion.partitionsConcurrently,
    },
    subscribe: { fromBeginning: true },
    // Keep the value as bytes: invalid records reach the DLQ byte for byte.
    parser: { keepBinary: true },
  };
}

async function bootstrap(): Promise<void> {
  const config = loadConsumerConfig(process.env);
  const app = await createHttpApp(ConsumerModule.forRoot(config), {
    ...OPENAPI_INFO,
    bodyLimitBytes: config.http.bodyLimitBytes,
    logLevel: config.logLevel,
    security: config.security,
  });
  // Nest's Kafka server, extended so the group events reach the ingestion service.
  const strategy = new IngestionKafkaServer(kafkaTransportOptions(config), app.get(ConsumerPort));
  app.connectMicroservice<MicroserviceOptions>({ strategy }, { inheritAppConfig: true });
  setupSwagger(app, buildOpenApiDocument(app, OPENAPI_INFO));
  // init first: topics are provisioned and indexes exist before the first record arrives.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  Logger.log(
    { msg: 'consumer listening', url: await app.getUrl(), group: config.consumer.groupId },
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  // eslint-disable-next-line no-console -- the logger may not exist yet
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
