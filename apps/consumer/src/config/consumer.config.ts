import { LogLevel } from '@nestjs/common';
import { z } from 'zod';
import { CONSUMER_CLIENT_ID, CONSUMER_GROUP_ID } from '@app/contracts';
import {
  KafkaSettings,
  envCsv,
  envInt,
  kafkaEnvSchema,
  parseEnv,
  toKafkaSettings,
} from '@app/kafka-admin';

const schema = kafkaEnvSchema.extend({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional().default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
    .optional()
    .default('log'),
  CONSUMER_HOST: z.string().optional().default('0.0.0.0'),
  CONSUMER_PORT: envInt(3001, 0, 65535),
  CONSUMER_CLIENT_ID: z.string().min(1).optional().default(CONSUMER_CLIENT_ID),
  KAFKA_GROUP_ID: z.string().min(1).optional().default(CONSUMER_GROUP_ID),
  KAFKA_SESSION_TIMEOUT_MS: envInt(30_000, 6000),
  KAFKA_HEARTBEAT_INTERVAL_MS: envInt(3000, 100),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .optional()
    .default('mongodb://127.0.0.1:27017/eyego'),
  MONGODB_COLLECTION: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/)
    .optional()
    .default('activities'),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: envInt(5000, 100),
  HTTP_BODY_LIMIT_BYTES: envInt(64 * 1024, 1024),
  ACTIVITY_TYPES_EXTRA: envCsv([]),
});

/** The consumer's configuration, validated once at boot (CONVENTIONS.md, habit 3). */
export class ConsumerConfig {
  constructor(
    readonly env: 'development' | 'production' | 'test',
    readonly logLevel: LogLevel,
    readonly http: { host: string; port: number; bodyLimitBytes: number },
    readonly kafka: KafkaSettings,
    readonly consumer: {
      clientId: string;
      groupId: string;
      sessionTimeoutMs: number;
      heartbeatIntervalMs: number;
    },
    readonly mongo: { uri: string; collection: string; serverSelectionTimeoutMs: number },
    readonly activityTypesExtra: string[],
  ) {}
}

export function loadConsumerConfig(env: Record<string, unknown>): ConsumerConfig {
  const e = parseEnv(schema, env);
  return new ConsumerConfig(
    e.NODE_ENV,
    e.LOG_LEVEL,
    { host: e.CONSUMER_HOST, port: e.CONSUMER_PORT, bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES },
    toKafkaSettings(e),
    {
      clientId: e.CONSUMER_CLIENT_ID,
      groupId: e.KAFKA_GROUP_ID,
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL_MS,
    },
    {
      uri: e.MONGODB_URI,
      collection: e.MONGODB_COLLECTION,
      serverSelectionTimeoutMs: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    },
    e.ACTIVITY_TYPES_EXTRA,
  );
}
