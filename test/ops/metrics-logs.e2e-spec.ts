import { readFileSync } from 'node:fs';
import { newEventId } from '@app/contracts';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { produceRaw } from '../consumer/consumer.support';
import { getJson, postJson } from '../support/http';
import { isolatedEnv, withMongo } from '../support/isolation';
import { Sample, scrape, total } from './prom-text';

interface LogLine {
  level: string;
  context?: string;
  message: unknown;
}

/** Every line the process wrote, parsed; Node's own process warnings are the only non-JSON lines allowed. */
function logLines(app: AppProcess): LogLine[] {
  return readFileSync(app.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('(node:') && !line.startsWith('(Use `node'))
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`${app.name} wrote a line that is not JSON: ${line}`);
      }
    });
}

const fields = (line: LogLine): Record<string, unknown> =>
  typeof line.message === 'object' && line.message !== null
    ? (line.message as Record<string, unknown>)
    : {};

describe('metrics and logs after real traffic', () => {
  const iso = isolatedEnv('ops-metrics');
  const repeatedId = newEventId();
  let producer: AppProcess;
  let consumer: AppProcess;
  let producerMetrics: Sample[];
  let consumerMetrics: Sample[];

  beforeAll(async () => {
    producer = new AppProcess(
      'producer-api',
      await freePort(),
      { ...iso.env, LOG_MASK_IPS: 'true' },
      iso.label,
    );
    consumer = new AppProcess(
      'consumer',
      await freePort(),
      { ...iso.env, LOG_LEVEL: 'debug', CONSUMER_LAG_INTERVAL_MS: '300' },
      iso.label,
    );
    await Promise.all([producer.start(), consumer.start()]);

    const post = (body: unknown) => postJson(`${producer.url}/v1/activities`, body);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await post({ userId: `u${i}`, activityType: 'login' })).status);
    statuses.push((await post({ activityType: 'login' })).status);
    statuses.push((await post({ userId: 'u9', activityType: 'no such type' })).status);
    // The same client-chosen eventId twice: accepted twice, stored once.
    for (let i = 0; i < 2; i++)
      statuses.push(
        (await post({ eventId: repeatedId, userId: 'u7', activityType: 'logout' })).status,
      );
    expect(statuses).toEqual([202, 202, 202, 400, 400, 202, 202]);
    await produceRaw(iso.env.KAFKA_BROKERS, iso.topic, [{ key: 'junk', value: 'not json' }]);

    const settled = async () => {
      const m = await scrape(consumer.url);
      return (
        ['stored', 'duplicate', 'dead_lettered']
          .map((outcome) => total(m, 'eyego_events_consumed_total', { outcome }))
          .reduce((x, y) => x + y) === 6 &&
        total(m, 'eyego_consumer_lag') === 0 &&
        (await withMongo(iso.mongoUri, (c) => c.db().collection('activities').countDocuments())) ===
          4
      );
    };
    expect(await eventually(settled, 30_000)).toBe(true);
    expect((await getJson(`${consumer.url}/v1/activities/${repeatedId}`)).status).toBe(200);
    expect((await getJson(`${consumer.url}/v1/activities/${newEventId()}`)).status).toBe(404);
    [producerMetrics, consumerMetrics] = await Promise.all([
      scrape(producer.url),
      scrape(consumer.url),
    ]);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('counts HTTP requests by route template and status on both apps', () => {
    const http = (m: Sample[], route: string, status: string) =>
      total(m, 'eyego_http_requests_total', { route, status });
    expect(http(producerMetrics, '/v1/activities', '202')).toBe(5);
    expect(http(producerMetrics, '/v1/activities', '400')).toBe(2);
    expect(http(consumerMetrics, '/v1/activities/:eventId', '200')).toBe(1);
    expect(http(consumerMetrics, '/v1/activities/:eventId', '404')).toBe(1);
    expect(
      total(producerMetrics, 'eyego_http_request_duration_seconds_count', {
        route: '/v1/activities',
        status: '202',
      }),
    ).toBe(5);
  });

  it('counts events produced by outcome, rejections by error code, and produce latency', () => {
    expect(total(producerMetrics, 'eyego_events_produced_total', { outcome: 'accepted' })).toBe(5);
    expect(total(producerMetrics, 'eyego_events_produced_total', { outcome: 'rejected' })).toBe(2);
    expect(
      total(producerMetrics, 'eyego_events_produced_total', {
        outcome: 'rejected',
        code: 'VALIDATION_ERROR',
      }),
    ).toBe(2);
    expect(total(producerMetrics, 'eyego_produce_duration_seconds_count')).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('counts consumed records as stored, duplicate and dead-lettered, and dead letters by code', () => {
    const consumed = (outcome: string) =>
      total(consumerMetrics, 'eyego_events_consumed_total', { outcome });
    expect({
      stored: consumed('stored'),
      duplicate: consumed('duplicate'),
      deadLettered: consumed('dead_lettered'),
    }).toEqual({ stored: 4, duplicate: 1, deadLettered: 1 });
    expect(total(consumerMetrics, 'eyego_dlq_records_total', { code: 'MALFORMED_MESSAGE' })).toBe(
      1,
    );
    // Documents sent to the database: 4 new ones, plus the duplicate unless it shared a flush with
    // its original and was recognised before the write.
    const flushed = total(consumerMetrics, 'eyego_consumer_flush_size_sum');
    expect(flushed === 4 || flushed === 5).toBe(true);
    expect(total(consumerMetrics, 'eyego_consumer_flush_duration_seconds_count')).toBeGreaterThan(
      0,
    );
  });

  it('writes only JSON log lines, with eventId and Kafka coordinates on stored events', () => {
    const lines = logLines(consumer);
    const stored = lines.map(fields).filter((f) => f.msg === 'stored');
    expect(stored).toHaveLength(4);
    expect(stored.find((f) => f.eventId === repeatedId)).toMatchObject({
      topic: iso.topic,
      partition: expect.any(Number) as number,
      offset: expect.any(String) as string,
    });
    const duplicate = lines.map(fields).find((f) => f.msg === 'duplicate skipped');
    expect(duplicate).toMatchObject({ eventId: repeatedId, topic: iso.topic });
  });

  it('writes kafkajs lines as JSON fields through the same logger', () => {
    const kafkajs = [...logLines(consumer), ...logLines(producer)].filter(
      (l) => l.context === 'kafkajs',
    );
    expect(kafkajs.length).toBeGreaterThan(0);
    for (const line of kafkajs) expect(fields(line)).toHaveProperty('namespace');
    // Nothing in kafkajs's own format ({"level":"INFO","logger":"kafkajs",...}) is left.
    const own = [...logLines(consumer), ...logLines(producer)].filter((l) => 'logger' in l);
    expect(own).toEqual([]);
  });

  it('logs each request with its request id and route, masking the client IP where configured', () => {
    const requests = (app: AppProcess) =>
      logLines(app)
        .filter((l) => l.context === 'HTTP')
        .map(fields)
        .filter((f) => f.route === '/v1/activities' || f.route === '/v1/activities/:eventId');
    const produced = requests(producer);
    expect(produced).toHaveLength(7);
    expect(produced[0]).toMatchObject({
      msg: 'request completed',
      method: 'POST',
      status: 202,
      requestId: expect.any(String) as string,
    });
    expect(new Set(produced.map((f) => f.ip))).toEqual(new Set(['127.0.0.0']));
    expect(new Set(requests(consumer).map((f) => f.ip))).toEqual(new Set(['127.0.0.1']));
  });
});
