import { LogLevel } from '@nestjs/common';
import { z } from 'zod';
import { READ_INDEX_MODES, ReadIndexMode } from '@app/activity-store';
import { CONSUMER_CLIENT_ID, CONSUMER_GROUP_ID, FieldCipher } from '@app/contracts';
import { IngestionOptions } from '@app/ingestion';
import {
  KafkaModuleOptions,
  KafkaSettings,
  ValueFormatSettings,
  kafkaEnvSchema,
  toKafkaSettings,
  toValueFormatSettings,
  valueFormatEnvSchema,
} from '@app/kafka-admin';
import {
  PlatformOptions,
  SecuritySettings,
  baseEnvSchema,
  envActivityTypes,
  envBool,
  envCsv,
  envInt,
  fieldCipherFromEnv,
  parseEnv,
  platformOptionsOf,
  toSecuritySettings,
} from '@app/platform';

const schema = baseEnvSchema
  .merge(kafkaEnvSchema)
  .merge(valueFormatEnvSchema)
  .extend({
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
    // Indexes that only serve the read API: auto = on MongoDB, not on FerretDB (activity-indexes.ts).
    MONGODB_READ_INDEXES: z.enum(READ_INDEX_MODES).optional().default('auto'),
    HTTP_BODY_LIMIT_BYTES: envInt(64 * 1024, 1024),
    ACTIVITY_TYPES_EXTRA: envActivityTypes(),
    /** kid:base64 32-byte keys, the first encrypting (README "Browsers and the client SDK"). */
    FIELD_ENCRYPTION_KEYS: z.string().optional(),
    FIELD_ENCRYPTION_FIELDS: envCsv([]),
    /** API keys whose callers see encrypted fields decrypted; everyone else sees them masked. */
    FIELD_DECRYPT_API_KEYS: envCsv([]),
    CONSUMER_FLUSH_MAX_EVENTS: envInt(500, 1, 10_000),
    CONSUMER_FLUSH_INTERVAL_MS: envInt(50, 1, 60_000),
    // Partitions kafkajs hands to the handler at once: one partition waiting for its flush must
    // not hold up the others. More than the partitions assigned changes nothing.
    CONSUMER_PARTITIONS_CONCURRENTLY: envInt(3, 1, 1000),
    // Fetch size bounds count compressed bytes: gzip shrinks these events about tenfold, so the
    // kafkajs defaults (1 MiB per partition, 10 MiB per fetch) held ~26,000 decoded records per
    // partition in memory (a heap snapshot showed 700,000 Buffers). 32 KiB per partition is about
    // 330 records, one flush: it keeps the consumer's peak RSS under 150 MB with room to spare, at
    // smaller inserts than 64 KiB gave (README, Performance, "Memory outside the V8 heap", has both).
    CONSUMER_FETCH_MAX_BYTES_PER_PARTITION: envInt(32 * 1024, 1024, 64 * 1024 * 1024),
    CONSUMER_FETCH_MAX_BYTES: envInt(1024 * 1024, 1024, 256 * 1024 * 1024),
    CONSUMER_RETRY_IMMEDIATE_ATTEMPTS: envInt(3, 0, 100),
    CONSUMER_RETRY_IMMEDIATE_DELAY_MS: envInt(100, 1, 60_000),
    CONSUMER_RETRY_BACKOFF_BASE_MS: envInt(500, 1, 60_000),
    CONSUMER_RETRY_BACKOFF_MAX_MS: envInt(300_000, 1, 3_600_000),
    // Backoff steps an unclassified failure gets after the immediate retries, before the DLQ.
    CONSUMER_RETRY_BACKOFF_STEPS: envInt(3, 0, 50),
    // A database write that takes longer is retried as a transient failure (heartbeats go on).
    CONSUMER_SINK_WRITE_TIMEOUT_MS: envInt(30_000, 100, 600_000),
    CONSUMER_SHUTDOWN_FLUSH_TIMEOUT_MS: envInt(10_000, 0, 120_000),
    CONSUMER_LAG_INTERVAL_MS: envInt(10_000, 0, 3_600_000),
    ANALYTICS_ENABLED: envBool(true),
    ANALYTICS_ACTIVITY_TYPES: envCsv(['login', 'login_failed', 'signup', 'purchase', 'checkout']),
    ANALYTICS_FAILED_LOGIN_THRESHOLD: envInt(5, 2, 1000),
    ANALYTICS_FAILED_LOGIN_WINDOW_MS: envInt(5 * 60_000, 1000, 24 * 3_600_000),
    ANALYTICS_MAX_TRACKED_USERS: envInt(10_000, 1, 1_000_000),
  });

/** The consumer's configuration, validated once at boot (CONVENTIONS.md, habit 3). */
export class ConsumerConfig {
  constructor(
    readonly env: 'development' | 'production' | 'test',
    readonly logLevel: LogLevel,
    readonly http: { host: string; port: number; bodyLimitBytes: number },
    readonly kafka: KafkaSettings,
    readonly mongo: {
      uri: string;
      collection: string;
      serverSelectionTimeoutMs: number;
      readIndexes: ReadIndexMode;
    },
    readonly activityTypesExtra: string[],
    /** The ingestion engine: group, batching, retries, shutdown, lag, analytics. */
    readonly ingestion: IngestionOptions,
    readonly security: SecuritySettings,
    /** KAFKA_VALUE_FORMAT and its schema registry. */
    readonly values: ValueFormatSettings,
    /** Log level, body limit, HTTP timeouts and shedding, security: what PlatformModule takes. */
    readonly platform: PlatformOptions,
    /** Field-level encryption of metadata; null when off (the default). */
    readonly fieldCipher: FieldCipher | null = null,
    readonly decryptApiKeys: readonly string[] = [],
  ) {}

  /** Topics are provisioned before the transport subscribes; Kafka down stops the boot. */
  get kafkaModule(): KafkaModuleOptions {
    return {
      connection: this.kafka.connection,
      clientId: `${this.ingestion.clientId}-admin`,
      topics: this.kafka.topics,
      provisioning: this.kafka.provisionTopics ? 'bootstrap' : 'off',
      valueFormat: this.values,
    };
  }
}

export function loadConsumerConfig(env: Record<string, unknown>): ConsumerConfig {
  const e = parseEnv(schema, env);
  return new ConsumerConfig(
    e.NODE_ENV,
    e.LOG_LEVEL,
    { host: e.CONSUMER_HOST, port: e.CONSUMER_PORT, bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES },
    toKafkaSettings(e),
    {
      uri: e.MONGODB_URI,
      collection: e.MONGODB_COLLECTION,
      serverSelectionTimeoutMs: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
      readIndexes: e.MONGODB_READ_INDEXES,
    },
    e.ACTIVITY_TYPES_EXTRA,
    {
      groupId: e.KAFKA_GROUP_ID,
      clientId: e.CONSUMER_CLIENT_ID,
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL_MS,
      flushMaxEvents: e.CONSUMER_FLUSH_MAX_EVENTS,
      flushIntervalMs: e.CONSUMER_FLUSH_INTERVAL_MS,
      partitionsConcurrently: e.CONSUMER_PARTITIONS_CONCURRENTLY,
      fetchMaxBytesPerPartition: e.CONSUMER_FETCH_MAX_BYTES_PER_PARTITION,
      fetchMaxBytes: e.CONSUMER_FETCH_MAX_BYTES,
      retry: {
        immediateAttempts: e.CONSUMER_RETRY_IMMEDIATE_ATTEMPTS,
        immediateDelayMs: e.CONSUMER_RETRY_IMMEDIATE_DELAY_MS,
        backoffBaseMs: e.CONSUMER_RETRY_BACKOFF_BASE_MS,
        backoffMaxMs: e.CONSUMER_RETRY_BACKOFF_MAX_MS,
        backoffSteps: e.CONSUMER_RETRY_BACKOFF_STEPS,
      },
      sinkWriteTimeoutMs: e.CONSUMER_SINK_WRITE_TIMEOUT_MS,
      shutdownFlushTimeoutMs: e.CONSUMER_SHUTDOWN_FLUSH_TIMEOUT_MS,
      lagIntervalMs: e.CONSUMER_LAG_INTERVAL_MS,
      ...(e.ANALYTICS_ENABLED
        ? {
            analytics: {
              activityTypes: e.ANALYTICS_ACTIVITY_TYPES,
              failedLogin: {
                threshold: e.ANALYTICS_FAILED_LOGIN_THRESHOLD,
                windowMs: e.ANALYTICS_FAILED_LOGIN_WINDOW_MS,
                maxTrackedUsers: e.ANALYTICS_MAX_TRACKED_USERS,
              },
            },
          }
        : {}),
    },
    toSecuritySettings(e, e.NODE_ENV),
    toValueFormatSettings(e),
    platformOptionsOf(e, e.HTTP_BODY_LIMIT_BYTES),
    fieldCipherFromEnv(e.FIELD_ENCRYPTION_KEYS, e.FIELD_ENCRYPTION_FIELDS),
    e.FIELD_DECRYPT_API_KEYS,
  );
}
