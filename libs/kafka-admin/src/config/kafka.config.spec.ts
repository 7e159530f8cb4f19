import { parseEnv } from '@app/platform';
import { buildKafkaConfig, kafkaEnvSchema, toKafkaSettings } from './kafka.config';

const settings = (env: Record<string, string>) => toKafkaSettings(parseEnv(kafkaEnvSchema, env));

describe('Kafka configuration from the environment', () => {
  it('defaults to the local broker and the spec topics', () => {
    const s = settings({});
    expect(s.connection.brokers).toEqual(['127.0.0.1:9092']);
    expect(s.connection.retry).toEqual({ initialRetryTime: 100, retries: 8 });
    expect(s.connection.sasl).toBeUndefined();
    expect(s.topics.activity).toMatchObject({ name: 'user-activity-logs', partitions: 3 });
    expect(s.provisionTopics).toBe(true);
  });

  it('reads a comma-separated broker list', () => {
    expect(settings({ KAFKA_BROKERS: 'k1:9092, k2.example.com:19092' }).connection.brokers).toEqual(
      ['k1:9092', 'k2.example.com:19092'],
    );
  });

  it.each(['k1', 'k1:port', 'http://k1:9092', 'k1:9092,k2'])(
    'refuses the broker list %p, naming the variable',
    (value) => {
      expect(() => settings({ KAFKA_BROKERS: value })).toThrow(/KAFKA_BROKERS.*host:port/s);
    },
  );

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512' }],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'app' }],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'secret' }],
  ])('refuses half-set SASL %p, naming the missing variables', (env) => {
    expect(() => settings(env)).toThrow(
      /KAFKA_SASL_USERNAME \/ KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM/,
    );
  });

  it('refuses an unknown SASL mechanism, naming the variable', () => {
    expect(() => settings({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('builds SASL and TLS client options when fully set', () => {
    const s = settings({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'app',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_SSL: 'true',
      KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
    });
    const config = buildKafkaConfig(s.connection, 'cli');
    expect(config).toMatchObject({
      clientId: 'cli',
      brokers: ['127.0.0.1:9092'],
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'secret' },
      ssl: { rejectUnauthorized: false },
    });
  });

  it('overrides every topic value per topic, and the prefix and replication factor globally', () => {
    const s = settings({
      KAFKA_TOPIC_PREFIX: 'stage.',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_TOPIC_ACTIVITY_PARTITIONS: '6',
      KAFKA_TOPIC_ACTIVITY_RETENTION_MS: '3600000',
      KAFKA_TOPIC_DLQ_CLEANUP_POLICY: 'compact,delete',
      KAFKA_TOPIC_ANALYTICS_REPLICATION_FACTOR: '2',
    });
    expect(s.topics.activity).toMatchObject({
      name: 'stage.user-activity-logs',
      partitions: 6,
      retentionMs: 3_600_000,
      replicationFactor: 3,
    });
    expect(s.topics.deadLetter).toMatchObject({ cleanupPolicy: 'compact,delete', partitions: 3 });
    expect(s.topics.analytics).toMatchObject({ replicationFactor: 2, retentionMs: 86_400_000 });
  });

  it.each([
    ['KAFKA_TOPIC_ACTIVITY_PARTITIONS', '0'],
    ['KAFKA_TOPIC_DLQ_RETENTION_MS', 'week'],
    ['KAFKA_TOPIC_ANALYTICS_CLEANUP_POLICY', 'forever'],
    ['KAFKA_REPLICATION_FACTOR', '0'],
    ['KAFKA_TOPIC_PREFIX', 'bad prefix/'],
    ['KAFKA_PROVISION_TOPICS', 'maybe'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => settings({ [name]: value })).toThrow(name);
  });
});
