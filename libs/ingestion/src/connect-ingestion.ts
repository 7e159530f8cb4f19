import type { INestApplication } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { IngestionKafkaServer } from './transport/ingestion-kafka.server';

/**
 * Connects the engine's Kafka transport to a hybrid app, with the app's global pipes, filters and
 * interceptors (inheritAppConfig). Call `app.init()` after it and before `startAllMicroservices()`:
 * topics are provisioned and the sink's indexes exist before the first record arrives.
 */
export function connectIngestion(app: INestApplication): void {
  const strategy = app.get(IngestionKafkaServer);
  app.connectMicroservice<MicroserviceOptions>({ strategy }, { inheritAppConfig: true });
}
