import { Logger } from '@nestjs/common';
import {
  ActivityEventValidator,
  CodedError,
  ErrorCode,
  JsonCodec,
  OutgoingRecord,
} from '@app/contracts';
import { Metrics } from '@app/platform';
import { loadProducerApiConfig } from '../config/producer-api.config';
import {
  ActivityPublisher,
  BrokerUnavailableError,
  PublishedRecord,
} from '../kafka/activity.publisher';
import { ActivityIntakeService } from './activity-intake.service';

/** Records what it was asked to send; answers partition 0 with consecutive offsets. */
class FakePublisher {
  readonly topic = 'user-activity-logs';
  readonly calls: OutgoingRecord[][] = [];
  failWith?: Error;

  async publish(records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    if (this.failWith) throw this.failWith;
    const base = this.calls.flat().length;
    this.calls.push([...records]);
    return records.map((_, i) => ({ partition: 0, offset: String(base + i) }));
  }
}

const event = (userId: string, extra: Record<string, unknown> = {}) => ({
  userId,
  activityType: 'login',
  metadata: { ipAddress: '10.0.0.1' },
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<CodedError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof CodedError)) throw error;
  return error;
}

describe('ActivityIntakeService', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  let publisher: FakePublisher;
  let service: ActivityIntakeService;

  beforeEach(() => {
    publisher = new FakePublisher();
    const config = loadProducerApiConfig({ BATCH_MAX_EVENTS: '3', BATCH_MAX_BYTES: '1024' });
    service = new ActivityIntakeService(
      new ActivityEventValidator(),
      publisher as unknown as ActivityPublisher,
      config,
      new Metrics(),
      new JsonCodec(),
    );
  });

  it('keys the record by userId, sets the contract headers and reports the coordinates', async () => {
    const accepted = await service.ingestOne(
      event('user-1', { eventId: 'client-id-123' }),
      'req-1',
    );
    expect(accepted).toEqual({
      eventId: 'client-id-123',
      topic: 'user-activity-logs',
      partition: 0,
      offset: '0',
    });
    const [[record]] = publisher.calls;
    expect(record.key).toBe('user-1');
    expect(JSON.parse(record.value.toString())).toMatchObject({
      eventId: 'client-id-123',
      version: '1.0.0',
    });
    expect(record.headers).toMatchObject({
      source: 'api',
      eventId: 'client-id-123',
      correlationId: 'req-1',
      schemaVersion: '1.0.0',
      contentType: 'application/json',
    });
  });

  it('generates a time-ordered eventId when the client sent none', async () => {
    const first = await service.ingestOne(event('u'), 'r');
    const second = await service.ingestOne(event('u'), 'r');
    expect(first.eventId).toMatch(/^evt_[0-9A-Z]{26}$/);
    expect(
      second.eventId > first.eventId || second.eventId.slice(0, 14) === first.eventId.slice(0, 14),
    ).toBe(true);
  });

  it('sends a batch in one publish call and answers per event, in order', async () => {
    const { results } = await service.ingestBatch({ events: [event('a'), event('b')] }, 'r');
    expect(publisher.calls).toHaveLength(1);
    expect(publisher.calls[0].map((r) => r.key)).toEqual(['a', 'b']);
    expect(results.map((r) => r.offset)).toEqual(['0', '1']);
  });

  it('rejects the whole batch, naming each invalid event by index', async () => {
    const error = await rejection(
      service.ingestBatch({ events: [event('a'), event('b', { activityType: 'x!' })] }, 'r'),
    );
    expect(error.code).toBe(ErrorCode.VALIDATION_ERROR);
    expect(error.issues?.every((i) => i.field.startsWith('events[1].'))).toBe(true);
    expect(publisher.calls).toHaveLength(0);
  });

  it('reports UNSUPPORTED_SCHEMA_VERSION when any batch event has another major version', async () => {
    const error = await rejection(
      service.ingestBatch({ events: [event('a'), event('b', { version: '3.0.0' })] }, 'r'),
    );
    expect(error.code).toBe(ErrorCode.UNSUPPORTED_SCHEMA_VERSION);
  });

  it('bounds a batch by event count and by bytes', async () => {
    const count = await rejection(service.ingestBatch({ events: [1, 2, 3, 4] }, 'r'));
    expect([count.code, count.message]).toEqual([
      ErrorCode.BATCH_TOO_LARGE,
      'a batch holds at most 3 events; got 4',
    ]);
    const big = event('a', { metadata: { note: 'x'.repeat(600) } });
    const bytes = await rejection(service.ingestBatch({ events: [big, big] }, 'r'));
    expect(bytes.code).toBe(ErrorCode.BATCH_TOO_LARGE);
    expect(bytes.message).toMatch(/at most 1024 bytes/);
  });

  it('rejects batch bodies that are not { events: [...] } and duplicate eventIds', async () => {
    for (const body of [
      null,
      [],
      { events: [] },
      { events: 'x' },
      { events: [event('a')], x: 1 },
    ]) {
      expect((await rejection(service.ingestBatch(body, 'r'))).code).toBe(
        ErrorCode.VALIDATION_ERROR,
      );
    }
    const dup = await rejection(
      service.ingestBatch(
        { events: [event('a', { eventId: 'same-id-1' }), event('b', { eventId: 'same-id-1' })] },
        'r',
      ),
    );
    expect(dup.issues).toEqual([
      expect.objectContaining({ field: 'events[1].eventId', rule: 'unique' }),
    ]);
  });

  it('turns an unavailable broker into BROKER_UNAVAILABLE with a retry delay', async () => {
    publisher.failWith = new BrokerUnavailableError('no ack within 5000 ms');
    const error = await rejection(service.ingestOne(event('a'), 'r'));
    expect([error.code, error.retryAfterSeconds]).toEqual([ErrorCode.BROKER_UNAVAILABLE, 5]);
  });

  it('lets other publisher errors through untouched', async () => {
    publisher.failWith = new TypeError('bug');
    await expect(service.ingestOne(event('a'), 'r')).rejects.toThrow(TypeError);
  });

  it('in partial mode publishes the valid events in one call and answers each invalid one by index', async () => {
    const answer = await service.ingestBatch(
      {
        events: [
          event('a', { eventId: 'partial-id-1' }),
          event('b', { activityType: 'teleport' }),
          event('c', { eventId: 'partial-id-1' }),
        ],
      },
      'r',
      'partial',
    );
    expect(publisher.calls).toHaveLength(1);
    expect(publisher.calls[0].map((r) => r.key)).toEqual(['a']);
    expect(answer).toMatchObject({
      accepted: 1,
      rejected: 2,
      results: [
        { index: 0, status: 'accepted', eventId: 'partial-id-1', partition: 0, offset: '0' },
        { index: 1, status: 'rejected', code: ErrorCode.VALIDATION_ERROR },
        { index: 2, status: 'rejected', errors: [expect.objectContaining({ rule: 'unique' })] },
      ],
    });
  });

  it('in partial mode answers 400 when no event is valid, publishing nothing', async () => {
    const error = await rejection(
      service.ingestBatch({ events: [event('a', { activityType: 'teleport' })] }, 'r', 'partial'),
    );
    expect(error.code).toBe(ErrorCode.VALIDATION_ERROR);
    expect(error.issues).toEqual([expect.objectContaining({ field: 'events[0].activityType' })]);
    expect(publisher.calls).toHaveLength(0);
  });
});
