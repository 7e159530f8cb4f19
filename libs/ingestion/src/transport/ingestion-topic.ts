import type { InjectionToken } from '@nestjs/common';

/** The topic the engine consumes (IngestionOptions.topic, else KafkaModule's activity topic). */
export const INGESTION_TOPIC: InjectionToken<string> = Symbol('INGESTION_TOPIC');

/**
 * The pattern the engine's handler is registered under. The real topic is configuration (it may
 * carry a prefix) while Nest reads `@EventPattern` when the class is declared, so the handler
 * listens to this fixed name and the transport maps the configured topic onto it.
 */
export const ACTIVITY_RECORDS_PATTERN = 'eyego.ingestion.activity-records';
