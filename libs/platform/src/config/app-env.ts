import { z } from 'zod';
import { securityEnvSchema } from '../security/security.config';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/**
 * Variables every HTTP app of this platform reads: HTTP security, environment, log level. Apps
 * extend it with their own (and with kafka-admin's Kafka schemas).
 */
export const baseEnvSchema = securityEnvSchema.extend({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional().default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional().default('log'),
});
