import {
  DlqError,
  OriginalRecord,
  buildDlqEnvelope,
  originalValueOf,
  parseDlqEnvelope,
  parseJsonObject,
  toDlqRecord,
} from './dlq-envelope';
import { ErrorCode } from './error-codes';

const error: DlqError = {
  code: ErrorCode.VALIDATION_ERROR,
  message: 'Invalid activity type',
  timestamp: '2024-01-12T10:30:05.000Z',
  retryCount: 3,
};

const original = (value: Buffer | null, key: string | null = 'user123'): OriginalRecord => ({
  topic: 'user-activity-logs',
  partition: 0,
  offset: '12345',
  key,
  value,
  headers: { source: 'api', timestamp: '2024-01-12T10:30:00.000Z', eventId: 'evt_1234567890' },
});

const event = {
  userId: 'user123',
  activityType: 'teleport',
  timestamp: '2024-01-12T10:30:00.000Z',
  metadata: { ipAddress: '192.168.1.1' },
  eventId: 'evt_1234567890',
  version: '1.0',
};

describe('the DLQ envelope', () => {
  it("is the spec's shape for a JSON event: its fields at the top level plus error", () => {
    const envelope = buildDlqEnvelope(original(Buffer.from(JSON.stringify(event))), error);
    expect(envelope).toEqual({ ...event, error });
    expect(JSON.parse(originalValueOf(envelope).toString())).toEqual(event);
  });

  it('keeps bytes that are not JSON whole, base64, and gives them back byte for byte', () => {
    const bytes = Buffer.from('not json {');
    const envelope = buildDlqEnvelope(original(bytes), error);
    expect(envelope).toEqual({
      originalValue: bytes.toString('base64'),
      originalValueEncoding: 'base64',
      error,
    });
    expect(originalValueOf(envelope).equals(bytes)).toBe(true);
  });

  it('keeps invalid UTF-8 whole even when it would parse as JSON after replacement', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"userId":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const envelope = buildDlqEnvelope(original(bytes), error);
    expect(envelope.originalValueEncoding).toBe('base64');
    expect(originalValueOf(envelope).equals(bytes)).toBe(true);
  });

  it.each([
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"login"'],
    ['an object with its own error key', '{"userId":"u1","error":"boom"}'],
    ['an object with an originalValue key', '{"originalValue":"x"}'],
  ])('keeps %s whole instead of merging it', (_name, text) => {
    const envelope = buildDlqEnvelope(original(Buffer.from(text)), error);
    expect(envelope.error).toEqual(error);
    expect(originalValueOf(envelope).toString()).toBe(text);
  });

  it('keeps an empty or missing value as empty bytes', () => {
    expect(originalValueOf(buildDlqEnvelope(original(null), error)).length).toBe(0);
    expect(originalValueOf(buildDlqEnvelope(original(Buffer.alloc(0)), error)).length).toBe(0);
  });

  it('is a record with the original key, original headers and the spec DLQ headers', () => {
    const record = toDlqRecord(original(Buffer.from(JSON.stringify(event))), error);
    expect(record.key).toBe('user123');
    expect(record.headers).toEqual({
      source: 'api',
      timestamp: '2024-01-12T10:30:00.000Z',
      eventId: 'evt_1234567890',
      contentType: 'application/json',
      originalTopic: 'user-activity-logs',
      originalPartition: '0',
      originalOffset: '12345',
      errorCode: 'VALIDATION_ERROR',
    });
    expect(parseDlqEnvelope(Buffer.from(record.value))).toEqual({ ...event, error });
  });

  it('gives a record without key an empty key and an unknown source', () => {
    const record = toDlqRecord({ ...original(Buffer.from('x'), null), headers: {} }, error);
    expect(record.key).toBe('');
    expect(record.headers.source).toBe('unknown');
  });

  it('parses back only values that are envelopes', () => {
    expect(parseDlqEnvelope(Buffer.from(JSON.stringify(event)))).toBeNull();
    expect(parseDlqEnvelope(Buffer.from('{"error":{"code":1}}'))).toBeNull();
    expect(parseDlqEnvelope(null)).toBeNull();
  });

  it('parseJsonObject accepts only JSON objects', () => {
    expect(parseJsonObject(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    for (const text of ['[]', 'null', '1', '{', ''])
      expect(parseJsonObject(Buffer.from(text))).toBeNull();
  });
});
