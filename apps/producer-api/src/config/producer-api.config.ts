import { hostname } from 'node:os';
import { LogLevel } from '@nestjs/common';
import { z } from 'zod';
import { FieldCipher, PRODUCER_CLIENT_ID } from '@app/contracts';
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
  invalidConfiguration,
  parseEnv,
  platformOptionsOf,
  toSecuritySettings,
} from '@app/platform';

/** navigator.sendBeacon's endpoint: text/plain JSON, API key also as ?apiKey= (README). */
export const BEACON_ROUTE = '/v1/activities/beacon';

export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

const schema = baseEnvSchema
  .merge(kafkaEnvSchema)
  .merge(valueFormatEnvSchema)
  .extend({
    PRODUCER_API_HOST: z.string().optional().default('0.0.0.0'),
    PRODUCER_API_PORT: envInt(3000, 0, 65535),
    PRODUCER_CLIENT_ID: z.string().min(1).optional().default(PRODUCER_CLIENT_ID),
    PRODUCER_COMPRESSION: z.enum(COMPRESSIONS).optional().default('gzip'),
    /**
     * zlib level of gzip (1 fastest … 9 smallest; kafkajs's own codec uses 6). What 1 saves in CPU
     * and costs in bytes: README, Performance, "Lean kafkajs encoder and gzip level 1".
     */
    PRODUCER_GZIP_LEVEL: envInt(1, 1, 9),
    /** Broker-side dedup of producer retries (exactly one copy per send); off only for old brokers. */
    PRODUCER_IDEMPOTENT: envBool(true),
    /** Longest a request waits for the broker's acknowledgement before answering 503. */
    PRODUCER_SEND_TIMEOUT_MS: envInt(5000, 100, 120_000),
    /** Records that may wait for Kafka; above, requests are shed at once (503 OVERLOADED). */
    PRODUCER_MAX_PENDING_RECORDS: envInt(20_000, 1, 10_000_000),
    /**
     * Serial senders, each with its own idempotent producer, partition p going to lane
     * p % lanes: produce calls to different partitions overlap, those to one partition never do.
     */
    PRODUCER_LANES: envInt(1, 1, 64),
    HTTP_BODY_LIMIT_BYTES: envInt(1024 * 1024, 1024, 64 * 1024 * 1024),
    BATCH_MAX_EVENTS: envInt(500, 1, 10_000),
    /** Sum of the batch's record values; below the broker's message.max.bytes (1 MiB default). */
    BATCH_MAX_BYTES: envInt(900 * 1024, 1024, 64 * 1024 * 1024),
    ACTIVITY_TYPES_EXTRA: envActivityTypes(),
    /** kid:base64 32-byte keys, the first encrypting (README "Browsers and the client SDK"). */
    FIELD_ENCRYPTION_KEYS: z.string().optional(),
    FIELD_ENCRYPTION_FIELDS: envCsv([]),
    /** metadata.ipAddress before publishing: as sent, truncated (/24, /48) or an HMAC (ipHash). */
    PRIVACY_IP_ADDRESS: z.enum(['keep', 'truncate', 'hmac']).optional().default('keep'),
    PRIVACY_HMAC_KEY: z.string().min(32, 'at least 32 characters').optional(),
    /** A timestamp too far ahead: set to the receive time with a warning (PostHog) or 400. */
    FUTURE_TIMESTAMPS: z.enum(['clamp', 'reject']).optional().default('clamp'),
    /**
     * A timestamp older than the accepted window (or before 2000): 400 (the default), or set to
     * the receive time with a warning, for a client that must never lose an event.
     */
    PAST_TIMESTAMPS: z.enum(['clamp', 'reject']).optional().default('reject'),
    /** Each produce call one Kafka transaction: a batch is all-or-nothing for every reader. */
    PRODUCER_TRANSACTIONS: z.enum(['on', 'off']).optional().default('off'),
    /** Stable per instance; default the client id and host (pod) name. */
    PRODUCER_TRANSACTIONAL_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, ".", "_" and "-" only')
      .optional(),
    /** How long an unfinished transaction (its instance died) holds read_committed readers back. */
    PRODUCER_TRANSACTION_TIMEOUT_MS: envInt(10_000, 1000, 900_000),
    /**
     * First retry of a transactional send. The broker answers CONCURRENT_TRANSACTIONS while the
     * previous transaction's commit markers are written (a few ms); kafkajs's 100 ms default made
     * every transaction after the first wait ~300 ms.
     */
    PRODUCER_TRANSACTION_RETRY_MS: envInt(10, 1, 1000),
  });

/** The producer-api's configuration, validated once at boot (CONVENTIONS.md, habit 3). */
export class ProducerApiConfig {
  constructor(
    readonly env: 'development' | 'production' | 'test',
    readonly logLevel: LogLevel,
    readonly http: {
      host: string;
      port: number;
      bodyLimitBytes: number;
      batchMaxEvents: number;
      batchMaxBytes: number;
      futureTimestamps: 'clamp' | 'reject';
      pastTimestamps: 'clamp' | 'reject';
    },
    readonly kafka: KafkaSettings,
    readonly producer: {
      clientId: string;
      compression: Compression;
      /** zlib level when compression is gzip. */
      gzipLevel: number;
      idempotent: boolean;
      sendTimeoutMs: number;
      maxPendingRecords: number;
      /** Serial senders with a producer each (PRODUCER_LANES); 1 with transactions. */
      lanes: number;
      /** Null: one idempotent producer, no transactions (PRODUCER_TRANSACTIONS=off). */
      transactions: null | { transactionalId: string; timeoutMs: number; retryMs: number };
    },
    readonly activityTypesExtra: string[],
    readonly security: SecuritySettings,
    /** KAFKA_VALUE_FORMAT and its schema registry. */
    readonly values: ValueFormatSettings,
    /** Log level, body limit, HTTP timeouts and shedding, security: what PlatformModule takes. */
    readonly platform: PlatformOptions,
    /** Field-level encryption of metadata; null when off (the default). */
    readonly fieldCipher: FieldCipher | null = null,
    /** What happens to metadata.ipAddress before publishing (PRIVACY_IP_ADDRESS). */
    readonly ipPrivacy: IpPrivacy = { mode: 'keep' },
  ) {}

  /** The API starts without Kafka (unready): topics are provisioned on the first connect. */
  get kafkaModule(): KafkaModuleOptions {
    return {
      connection: this.kafka.connection,
      clientId: `${this.producer.clientId}-admin`,
      topics: this.kafka.topics,
      provisioning: this.kafka.provisionTopics ? 'first-use' : 'off',
      valueFormat: this.values,
    };
  }
}

export function loadProducerApiConfig(env: Record<string, unknown>): ProducerApiConfig {
  const e = parseEnv(schema, env);
  if (e.PRODUCER_TRANSACTIONS === 'on' && !e.PRODUCER_IDEMPOTENT) {
    throw invalidConfiguration(
      'PRODUCER_TRANSACTIONS=on needs PRODUCER_IDEMPOTENT=true (Kafka transactions are idempotent)',
    );
  }
  if (e.PRODUCER_TRANSACTIONS === 'on' && e.PRODUCER_LANES > 1) {
    throw invalidConfiguration(
      'PRODUCER_TRANSACTIONS=on needs PRODUCER_LANES=1 (a batch is one transaction, so one producer sends it)',
    );
  }
  return new ProducerApiConfig(
    e.NODE_ENV,
    e.LOG_LEVEL,
    {
      host: e.PRODUCER_API_HOST,
      port: e.PRODUCER_API_PORT,
      bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES,
      batchMaxEvents: e.BATCH_MAX_EVENTS,
      batchMaxBytes: e.BATCH_MAX_BYTES,
      futureTimestamps: e.FUTURE_TIMESTAMPS,
      pastTimestamps: e.PAST_TIMESTAMPS,
    },
    toKafkaSettings(e),
    {
      clientId: e.PRODUCER_CLIENT_ID,
      compression: e.PRODUCER_COMPRESSION,
      gzipLevel: e.PRODUCER_GZIP_LEVEL,
      idempotent: e.PRODUCER_IDEMPOTENT,
      sendTimeoutMs: e.PRODUCER_SEND_TIMEOUT_MS,
      maxPendingRecords: e.PRODUCER_MAX_PENDING_RECORDS,
      lanes: e.PRODUCER_LANES,
      transactions:
        e.PRODUCER_TRANSACTIONS === 'on'
          ? {
              transactionalId:
                e.PRODUCER_TRANSACTIONAL_ID ??
                `${e.PRODUCER_CLIENT_ID}-${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}`,
              timeoutMs: e.PRODUCER_TRANSACTION_TIMEOUT_MS,
              retryMs: e.PRODUCER_TRANSACTION_RETRY_MS,
            }
          : null,
    },
    e.ACTIVITY_TYPES_EXTRA,
    toSecuritySettings(e, e.NODE_ENV),
    toValueFormatSettings(e),
    withBeaconRoute(platformOptionsOf(e, e.HTTP_BODY_LIMIT_BYTES)),
    fieldCipherFromEnv(e.FIELD_ENCRYPTION_KEYS, e.FIELD_ENCRYPTION_FIELDS),
    ipPrivacyOf(e.PRIVACY_IP_ADDRESS, e.PRIVACY_HMAC_KEY),
  );
}

function withBeaconRoute(options: PlatformOptions): PlatformOptions {
  return { ...options, http: { ...options.http, beaconRoutes: [BEACON_ROUTE] } };
}

export type IpPrivacy = { mode: 'keep' | 'truncate' } | { mode: 'hmac'; key: string };

function ipPrivacyOf(mode: 'keep' | 'truncate' | 'hmac', key: string | undefined): IpPrivacy {
  if (mode !== 'hmac') return { mode };
  if (!key) throw invalidConfiguration('PRIVACY_HMAC_KEY: required with PRIVACY_IP_ADDRESS=hmac');
  return { mode, key };
}
