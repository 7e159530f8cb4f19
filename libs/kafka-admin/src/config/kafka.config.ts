import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import {
  CleanupPolicy,
  TopicOverrides,
  TopicRole,
  TopicSpecs,
  resolveTopicSpecs,
} from '@app/contracts';
import { envBool, envCsv, envInt, envOptionalInt, invalidConfiguration } from '@app/platform';

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

const topicEnv = (role: string) => ({
  [`KAFKA_TOPIC_${role}_PARTITIONS`]: envOptionalInt(1, 10_000),
  [`KAFKA_TOPIC_${role}_RETENTION_MS`]: envOptionalInt(-1),
  [`KAFKA_TOPIC_${role}_REPLICATION_FACTOR`]: envOptionalInt(1, 10),
  [`KAFKA_TOPIC_${role}_MIN_INSYNC_REPLICAS`]: envOptionalInt(1, 10),
  [`KAFKA_TOPIC_${role}_CLEANUP_POLICY`]: z
    .enum(['delete', 'compact', 'compact,delete'])
    .optional(),
});

/** Every Kafka-related variable both apps and the CLI read. */
export const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: envCsv(['127.0.0.1:9092']).pipe(
    z.array(z.string().regex(BROKER, 'each broker must be host:port')).min(1),
  ),
  KAFKA_CONNECTION_TIMEOUT_MS: envInt(3000, 100),
  KAFKA_REQUEST_TIMEOUT_MS: envInt(30_000, 100),
  KAFKA_RETRY_INITIAL_MS: envInt(100, 1),
  KAFKA_RETRY_RETRIES: envInt(8, 0, 100),
  /**
   * How often clients refresh topic metadata unasked: after a partition increase, the producer
   * starts writing to the new partitions and the consumer group rebalances onto them within this.
   */
  KAFKA_METADATA_MAX_AGE_MS: envInt(300_000, 1000),
  KAFKA_SSL: envBool(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_CERT_FILE: z.string().optional(),
  KAFKA_SSL_KEY_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: envBool(true),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/)
    .optional()
    .default(''),
  KAFKA_REPLICATION_FACTOR: envInt(1, 1, 10),
  /** Default: 2 for topics with replication factor 3 or more, else the broker's default. */
  KAFKA_MIN_INSYNC_REPLICAS: envOptionalInt(1, 10),
  KAFKA_PROVISION_TOPICS: envBool(true),
  /** kafkajs's record encoder with fewer allocations, same bytes (encoding/lean-encoder.ts). */
  KAFKA_LEAN_ENCODER: envBool(true),
  ...topicEnv('ACTIVITY'),
  ...topicEnv('DLQ'),
  ...topicEnv('ANALYTICS'),
});

export type KafkaEnv = z.output<typeof kafkaEnvSchema>;

export interface KafkaConnectionSettings {
  brokers: string[];
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  retry: { initialRetryTime: number; retries: number };
  /** kafkajs metadataMaxAge; unset: its default (5 minutes). */
  metadataMaxAgeMs?: number;
  ssl?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized: boolean };
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
}

export interface KafkaSettings {
  connection: KafkaConnectionSettings;
  topics: TopicSpecs;
  provisionTopics: boolean;
}

const ROLE_ENV: Record<TopicRole, string> = {
  activity: 'ACTIVITY',
  deadLetter: 'DLQ',
  analytics: 'ANALYTICS',
};

/** Typed Kafka settings from parsed env; throws naming the variable when SASL is half set. */
export function toKafkaSettings(env: KafkaEnv): KafkaSettings {
  if (env.KAFKA_SASL_MECHANISM && (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD)) {
    throw invalidConfiguration(
      'KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set',
    );
  }
  const values = env as unknown as Record<string, number | CleanupPolicy | undefined>;
  const perTopic: TopicOverrides['perTopic'] = {};
  for (const [role, name] of Object.entries(ROLE_ENV) as [TopicRole, string][]) {
    const own = {
      partitions: values[`KAFKA_TOPIC_${name}_PARTITIONS`] as number | undefined,
      retentionMs: values[`KAFKA_TOPIC_${name}_RETENTION_MS`] as number | undefined,
      replicationFactor: values[`KAFKA_TOPIC_${name}_REPLICATION_FACTOR`] as number | undefined,
      minInsyncReplicas: values[`KAFKA_TOPIC_${name}_MIN_INSYNC_REPLICAS`] as number | undefined,
      cleanupPolicy: values[`KAFKA_TOPIC_${name}_CLEANUP_POLICY`] as CleanupPolicy | undefined,
    };
    perTopic[role] = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined));
  }
  return {
    connection: {
      brokers: env.KAFKA_BROKERS,
      connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: env.KAFKA_REQUEST_TIMEOUT_MS,
      retry: { initialRetryTime: env.KAFKA_RETRY_INITIAL_MS, retries: env.KAFKA_RETRY_RETRIES },
      metadataMaxAgeMs: env.KAFKA_METADATA_MAX_AGE_MS,
      ...(env.KAFKA_SSL
        ? {
            ssl: {
              caFile: env.KAFKA_SSL_CA_FILE,
              certFile: env.KAFKA_SSL_CERT_FILE,
              keyFile: env.KAFKA_SSL_KEY_FILE,
              rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED,
            },
          }
        : {}),
      ...(env.KAFKA_SASL_MECHANISM
        ? {
            sasl: {
              mechanism: env.KAFKA_SASL_MECHANISM,
              username: env.KAFKA_SASL_USERNAME ?? '',
              password: env.KAFKA_SASL_PASSWORD ?? '',
            },
          }
        : {}),
    },
    topics: resolveTopicSpecs({
      prefix: env.KAFKA_TOPIC_PREFIX,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS,
      perTopic,
    }),
    provisionTopics: env.KAFKA_PROVISION_TOPICS,
  };
}

/** kafkajs client options for one client id, with TLS material read from files at boot. */
export function buildKafkaConfig(
  connection: KafkaConnectionSettings,
  clientId: string,
): KafkaConfig {
  const { ssl, sasl } = connection;
  return {
    clientId,
    brokers: connection.brokers,
    connectionTimeout: connection.connectionTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    retry: connection.retry,
    ...(ssl
      ? {
          ssl: {
            rejectUnauthorized: ssl.rejectUnauthorized,
            ...(ssl.caFile ? { ca: [readFileSync(ssl.caFile, 'utf8')] } : {}),
            ...(ssl.certFile ? { cert: readFileSync(ssl.certFile, 'utf8') } : {}),
            ...(ssl.keyFile ? { key: readFileSync(ssl.keyFile, 'utf8') } : {}),
          },
        }
      : {}),
    ...(sasl ? { sasl: sasl as SASLOptions } : {}),
  };
}
