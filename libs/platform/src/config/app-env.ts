import { z } from 'zod';
import { kafkaEnvSchema, valueFormatEnvSchema } from '@app/kafka-admin';
import { securityEnvSchema } from '../security/security.config';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Variables every app reads: Kafka connection, topics and value format, HTTP security, environment, log level. */
export const appEnvSchema = kafkaEnvSchema
  .merge(valueFormatEnvSchema)
  .merge(securityEnvSchema)
  .extend({
    NODE_ENV: z.enum(['development', 'production', 'test']).optional().default('development'),
    LOG_LEVEL: z.enum(LOG_LEVELS).optional().default('log'),
  });
