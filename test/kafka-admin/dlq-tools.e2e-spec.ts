import { Admin, Kafka, Producer } from 'kafkajs';
import {
  DlqEnvelope,
  ErrorCode,
  OriginalRecord,
  originalValueOf,
  resolveTopicSpecs,
} from '@app/contracts';
import {
  DlqFailure,
  DlqPublisher,
  DlqReader,
  DlqRecord,
  KafkaModuleOptions,
  TopicProvisioner,
} from '@app/kafka-admin';
import { isolatedEnv } from '../support/isolation';
import {
  deleteTopicsWithPrefix,
  kafka,
  kafkaAdminCli,
  kafkaAdminJson,
} from './kafka-admin.support';

interface Listed {
  partition: number;
  offset: string;
  code: string;
  eventId: string | null;
  key: string | null;
}

const event = {
  eventId: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7',
  userId: 'user123',
  activityType: 'teleport',
  timestamp: '2024-01-12T10:30:00.000Z',
  metadata: { ipAddress: '192.168.1.1' },
  version: '1.0.0',
};
// Not UTF-8, not JSON: must come back byte for byte.
const garbage = Buffer.from([0x7b, 0xff, 0x00, 0xfe, 0x22]);

describe('the DLQ: publisher, list, inspect and replay against the real broker', () => {
  const iso = isolatedEnv('dlq-tools');
  const env = { KAFKA_TOPIC_PREFIX: iso.prefix };
  const specs = resolveTopicSpecs({ prefix: iso.prefix });
  let client: Kafka;
  let admin: Admin;

  /** The app's DLQ publisher (its own idempotent producer), outside an app. */
  const publishToDlq = async (failures: DlqFailure[]): Promise<void> => {
    const publisher = new DlqPublisher(client, { topics: specs } as unknown as KafkaModuleOptions);
    try {
      await publisher.publish(failures);
    } finally {
      await publisher.onApplicationShutdown();
    }
  };
  let producer: Producer;
  let published: DlqRecord[];

  const original = (value: Buffer, offset: string, key: string): OriginalRecord => ({
    topic: specs.activity.name,
    partition: 1,
    offset,
    key,
    value,
    headers: { source: 'api', eventId: event.eventId, correlationId: 'req-42' },
  });

  beforeAll(async () => {
    client = kafka('e2e-dlq-tools');
    admin = client.admin();
    producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([admin.connect(), producer.connect()]);
    await new TopicProvisioner(admin).provision(Object.values(specs));
    await publishToDlq([
      {
        original: original(Buffer.from(JSON.stringify(event)), '17', 'user123'),
        error: {
          code: ErrorCode.VALIDATION_ERROR,
          message: 'activityType: Invalid activity type',
          timestamp: new Date().toISOString(),
          retryCount: 0,
        },
      },
      {
        original: original(garbage, '18', 'user456'),
        error: {
          code: ErrorCode.MALFORMED_MESSAGE,
          message: 'the record value is not a JSON object',
          timestamp: new Date().toISOString(),
          retryCount: 0,
        },
      },
    ]);
    published = await new DlqReader(client, admin, specs.deadLetter.name).read();
  });

  afterAll(async () => {
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
    await deleteTopicsWithPrefix(iso.prefix);
  });

  it('round-trips a DLQ record with the spec envelope, its headers and the original bytes', () => {
    expect(published).toHaveLength(2);
    const [json, raw] = [...published].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
    expect(json.headers).toMatchObject({
      source: 'api',
      eventId: event.eventId,
      correlationId: 'req-42',
      originalTopic: specs.activity.name,
      originalPartition: '1',
      originalOffset: '17',
      errorCode: 'VALIDATION_ERROR',
    });
    expect(json.envelope).toEqual({
      ...event,
      error: expect.objectContaining({ code: 'VALIDATION_ERROR', retryCount: 0 }) as unknown,
    });
    expect(raw.headers).toMatchObject({ originalOffset: '18', errorCode: 'MALFORMED_MESSAGE' });
    expect(raw.envelope?.originalValueEncoding).toBe('base64');
    expect(originalValueOf(raw.envelope as DlqEnvelope).equals(garbage)).toBe(true);
  });

  it('dlq list filters by code, time and count', async () => {
    const all = await kafkaAdminJson<Listed[]>(['dlq', 'list'], env);
    expect(all.map((r) => r.code).sort()).toEqual(['MALFORMED_MESSAGE', 'VALIDATION_ERROR']);
    const malformed = await kafkaAdminJson<Listed[]>(
      ['dlq', 'list', '--code', 'MALFORMED_MESSAGE'],
      env,
    );
    expect(malformed).toEqual([
      expect.objectContaining({ key: 'user456', code: 'MALFORMED_MESSAGE' }),
    ]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await kafkaAdminJson<Listed[]>(['dlq', 'list', '--since', future], env)).toEqual([]);
    expect(
      await kafkaAdminJson<Listed[]>(['dlq', 'list', '--until', '2000-01-01T00:00:00Z'], env),
    ).toEqual([]);
    expect(await kafkaAdminJson<Listed[]>(['dlq', 'list', '--limit', '1'], env)).toHaveLength(1);
    const table = await kafkaAdminCli(['dlq', 'list'], env);
    expect(table.stdout).toMatch(/PARTITION\s+OFFSET\s+DEAD-LETTERED-AT\s+CODE/);
  });

  it('dlq inspect shows one record whole, and exits 1 for a record that is not there', async () => {
    const target = published.find((r) => r.key === 'user123') as DlqRecord;
    const shown = await kafkaAdminCli(
      ['dlq', 'inspect', `${target.partition}:${target.offset}`],
      env,
    );
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      eventId: event.eventId,
      envelope: { ...event },
      headers: { originalOffset: '17' },
    });
    const missing = await kafkaAdminCli(['dlq', 'inspect', `${target.partition}:999`], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no record at');
  });

  it('dlq replay --dry-run selects without producing; replay puts the original bytes back with replay headers', async () => {
    const main = new DlqReader(client, admin, specs.activity.name);
    const target = published.find((r) => r.key === 'user456') as DlqRecord;
    const dry = await kafkaAdminJson<{ replayed: number; records: Listed[] }>(
      ['dlq', 'replay', '--code', 'MALFORMED_MESSAGE', '--dry-run'],
      env,
    );
    expect(dry).toMatchObject({
      replayed: 0,
      records: [expect.objectContaining({ key: 'user456' })],
    });
    expect(await main.read()).toEqual([]);

    const done = await kafkaAdminJson<{ replayed: number }>(
      ['dlq', 'replay', '--offsets', `${target.partition}:${target.offset}`],
      env,
    );
    expect(done.replayed).toBe(1);
    const [replayed, ...more] = await main.read();
    expect(more).toEqual([]);
    expect(replayed.key).toBe('user456');
    expect(replayed.value?.equals(garbage)).toBe(true);
    expect(replayed.headers).toMatchObject({
      eventId: event.eventId,
      source: 'api',
      replayedFrom: `${specs.deadLetter.name}/${target.partition}/${target.offset}`,
    });
    expect(Date.parse(replayed.headers.replayedAt)).toBeGreaterThan(Date.now() - 120_000);
    expect(replayed.headers.originalTopic).toBeUndefined();
  });

  it('dlq list reads a larger DLQ whole, each record once, printing progress', async () => {
    const failures = Array.from({ length: 250 }, (_, i) => ({
      original: original(Buffer.from(`bad-${i}`), String(100 + i), `user-${i % 7}`),
      error: {
        code: ErrorCode.PROCESSING_FAILED,
        message: 'gave up',
        timestamp: new Date().toISOString(),
        retryCount: 6,
      },
    }));
    await publishToDlq(failures);
    const result = await kafkaAdminCli(
      ['dlq', 'list', '--code', 'PROCESSING_FAILED', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as Listed[];
    expect(listed).toHaveLength(250);
    expect(new Set(listed.map((r) => `${r.partition}:${r.offset}`)).size).toBe(250);
    expect(result.stderr).toMatch(/read \d+\/252 records/);
  });

  it('dlq replay refuses to run without a selection', async () => {
    const result = await kafkaAdminCli(['dlq', 'replay'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs a selection');
  });
});
