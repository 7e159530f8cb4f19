import { HEADERS, decodeHeaders, toActivityRecord } from './kafka-record';

const event = {
  eventId: 'evt_01HZZZZZZZZZZZZZZZZZZZZZZZ',
  userId: 'user123',
  activityType: 'login',
  timestamp: '2024-01-12T10:30:00.000Z',
  metadata: {},
  version: '1.0.0',
};

describe('the Kafka record of an event', () => {
  it('is keyed by userId, has the JSON value and the spec headers plus ours', () => {
    const now = new Date('2024-01-12T10:30:01.000Z');
    const record = toActivityRecord(event, { source: 'api', correlationId: 'req-1', now });
    expect(record).toEqual({
      key: 'user123',
      value: JSON.stringify(event),
      headers: {
        source: 'api',
        timestamp: '2024-01-12T10:30:01.000Z',
        schemaVersion: '1.0.0',
        contentType: 'application/json',
        correlationId: 'req-1',
        eventId: event.eventId,
      },
    });
  });

  it('reuses the JSON the validator already produced', () => {
    const record = toActivityRecord(event, {
      source: 'api',
      correlationId: 'c',
      json: '{"pre":1}',
    });
    expect(record.value).toBe('{"pre":1}');
  });

  it('headers decode from Buffers, strings and arrays, skipping undefined', () => {
    expect(
      decodeHeaders({
        [HEADERS.source]: Buffer.from('api'),
        [HEADERS.eventId]: 'evt_1',
        multi: [Buffer.from('first'), Buffer.from('second')],
        gone: undefined,
      }),
    ).toEqual({ source: 'api', eventId: 'evt_1', multi: 'first' });
    expect(decodeHeaders(undefined)).toEqual({});
  });
});
