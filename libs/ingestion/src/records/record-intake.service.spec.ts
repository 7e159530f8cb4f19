import {
  ACTIVITY_EVENT_AVRO_SCHEMA,
  ActivityEventValidator,
  AvroCodec,
  JsonCodec,
  OriginalRecord,
  SchemaRegistry,
  SchemaRegistryUnavailableError,
  ValueCodec,
} from '@app/contracts';
import { AnalyticsForwarder } from '../analytics/analytics-forwarder';
import { BatchFlusher } from '../flush/batch-flusher';
import { Entry, PartitionBuffer } from '../flush/partition-buffer';
import { DEFAULT_INGESTION } from '../ingestion.options';
import { ConsumerHandle } from '../transport/consumer-handle';
import { RecordIntake } from './record-intake.service';

const valid = (offset: number, partition = 0): OriginalRecord => ({
  topic: 't',
  partition,
  offset: String(offset),
  key: 'u1',
  value: Buffer.from(
    JSON.stringify({
      eventId: `evt_test_${String(offset).padStart(4, '0')}`,
      userId: 'u1',
      activityType: 'login',
      timestamp: new Date().toISOString(),
      metadata: {},
      version: '1.0.0',
    }),
  ),
  headers: {},
});

function setup(
  flush: (b: PartitionBuffer, e: Entry[]) => Promise<void>,
  shutdownMs = 10_000,
  codec: ValueCodec = new JsonCodec(),
) {
  const options = {
    ...DEFAULT_INGESTION,
    groupId: 'g',
    clientId: 'c',
    shutdownFlushTimeoutMs: shutdownMs,
  };
  const flusher = { flush, aborted: false } as unknown as BatchFlusher;
  const dropped: number[] = [];
  const beats: number[] = [];
  const port = {
    setListener: () => undefined,
    useHeartbeat: () => undefined,
    heartbeat: () => Promise.resolve(void beats.push(Date.now())),
    pause: () => undefined,
  } as unknown as ConsumerHandle;
  const analytics = {
    dropPartition: (p: number) => dropped.push(p),
  } as unknown as AnalyticsForwarder;
  const service = new RecordIntake(
    options,
    new ActivityEventValidator(),
    flusher,
    port,
    analytics,
    codec,
  );
  return { service, flusher, dropped, beats };
}

const heartbeat = () => Promise.resolve();

describe('RecordIntake', () => {
  it('decodes records into documents and dead-letter entries, buffered per partition', async () => {
    const seen: Entry[] = [];
    const { service } = setup((_b, entries) => Promise.resolve(void seen.push(...entries)));
    await service.accept(valid(0), heartbeat);
    await service.accept({ ...valid(1), value: Buffer.from('not json') }, heartbeat);
    await service.onModuleDestroy();
    expect(seen.map((e) => e.kind)).toEqual(['event', 'invalid']);
    expect(seen[1]).toMatchObject({ code: 'MALFORMED_MESSAGE' });
  });

  it('flushes what is buffered on shutdown and takes no records afterwards', async () => {
    const flushed: string[] = [];
    const { service } = setup((_b, entries) =>
      Promise.resolve(void flushed.push(...entries.map((e) => e.record.offset))),
    );
    await service.accept(valid(7), heartbeat);
    await service.onModuleDestroy();
    await service.accept(valid(8), heartbeat);
    expect(flushed).toEqual(['7']);
  });

  it('gives up a flush that outlasts the shutdown deadline, leaving the rest to redelivery', async () => {
    const { service, flusher } = setup(() => new Promise<void>(() => undefined), 50);
    await service.accept(valid(0), heartbeat);
    await service.onModuleDestroy();
    expect(flusher.aborted).toBe(true);
  });

  it('drops the state of partitions assigned elsewhere after a rebalance', async () => {
    const { service, dropped } = setup(() => Promise.resolve());
    await service.accept(valid(0, 0), heartbeat);
    await service.accept(valid(0, 1), heartbeat);
    service.onAssigned({ t: [0] });
    expect(dropped).toEqual([1]);
    await service.onModuleDestroy();
  });

  it('waits for an unavailable schema registry, heartbeating, instead of dead-lettering Avro', async () => {
    let outages = 2;
    const schema = JSON.stringify(ACTIVITY_EVENT_AVRO_SCHEMA);
    const flaky: SchemaRegistry = {
      register: () => Promise.resolve(1),
      schemaById: () =>
        outages-- > 0
          ? Promise.reject(new SchemaRegistryUnavailableError('connection refused'))
          : Promise.resolve(schema),
    };
    const codec = new AvroCodec(flaky, 't-value');
    await codec.prepare();
    const seen: Entry[] = [];
    const { service, beats } = setup(
      (_b, entries) => Promise.resolve(void seen.push(...entries)),
      10_000,
      codec,
    );
    const json = valid(3);
    const event = JSON.parse(String(json.value)) as Parameters<AvroCodec['encode']>[0];
    await service.accept({ ...json, value: codec.encode(event) }, heartbeat);
    await service.onModuleDestroy();
    expect(seen.map((e) => e.kind)).toEqual(['event']);
    expect(beats).toHaveLength(2);
  });
});
