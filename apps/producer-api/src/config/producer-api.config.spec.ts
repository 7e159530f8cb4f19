import { loadProducerApiConfig } from './producer-api.config';

describe('loadProducerApiConfig', () => {
  it('defaults to the spec producer settings', () => {
    const config = loadProducerApiConfig({});
    expect(config.producer).toEqual({
      clientId: 'eyego-activity-producer',
      compression: 'gzip',
      gzipLevel: 1,
      idempotent: true,
      sendTimeoutMs: 5000,
      maxPendingRecords: 20_000,
      lanes: 1,
      transactions: null,
    });
    expect(config.kafka.connection.retry).toEqual({ initialRetryTime: 100, retries: 8 });
    expect(config.http).toMatchObject({ batchMaxEvents: 500, batchMaxBytes: 900 * 1024 });
    expect(config.security.apiKeys).toEqual([]);
  });

  it('requires API keys in production and names the variables it rejects', () => {
    expect(() => loadProducerApiConfig({ NODE_ENV: 'production' })).toThrow(/API_KEYS/);
    expect(() => loadProducerApiConfig({ PRODUCER_COMPRESSION: 'brotli' })).toThrow(
      /PRODUCER_COMPRESSION/,
    );
    expect(() => loadProducerApiConfig({ BATCH_MAX_EVENTS: '0' })).toThrow(/BATCH_MAX_EVENTS/);
  });

  it('turns transactions on with a transactional id per host unless one is given', () => {
    const byHost = loadProducerApiConfig({ PRODUCER_TRANSACTIONS: 'on' }).producer.transactions;
    expect(byHost).toEqual({
      transactionalId: expect.stringMatching(
        /^eyego-activity-producer-[A-Za-z0-9._-]+$/,
      ) as unknown,
      timeoutMs: 10_000,
      retryMs: 10,
    });
    const given = loadProducerApiConfig({
      PRODUCER_TRANSACTIONS: 'on',
      PRODUCER_TRANSACTIONAL_ID: 'api-0',
    }).producer.transactions;
    expect(given?.transactionalId).toBe('api-0');
    expect(() =>
      loadProducerApiConfig({ PRODUCER_TRANSACTIONS: 'on', PRODUCER_IDEMPOTENT: 'false' }),
    ).toThrow(/PRODUCER_IDEMPOTENT/);
  });

  it('refuses producer lanes with transactions (a batch is one transaction of one producer)', () => {
    expect(() =>
      loadProducerApiConfig({ PRODUCER_TRANSACTIONS: 'on', PRODUCER_LANES: '3' }),
    ).toThrow(/PRODUCER_LANES=1/);
    expect(loadProducerApiConfig({ PRODUCER_LANES: '3' }).producer.lanes).toBe(3);
  });
});
