import {
  DlqError,
  ErrorCode,
  OriginalRecord,
  decodeHeaders,
  parseDlqEnvelope,
  toDlqRecord,
} from '@app/contracts';
import { DlqRecord, dlqCodeOf } from './dlq.reader';
import { replayedFrom, toReplayRecord } from './dlq.replay';

const error: DlqError = {
  code: ErrorCode.VALIDATION_ERROR,
  message: 'Invalid activity type',
  timestamp: '2024-01-12T10:30:05.000Z',
  retryCount: 0,
};

/** What DlqReader returns for a record DlqPublisher wrote for `original`. */
function readBack(original: OriginalRecord): DlqRecord {
  const record = toDlqRecord(original, error);
  const value = Buffer.from(record.value);
  return {
    partition: 1,
    offset: '7',
    timestamp: '2024-01-12T10:30:05.000Z',
    key: record.key,
    headers: decodeHeaders(record.headers),
    value,
    envelope: parseDlqEnvelope(value),
  };
}

const original = (value: Buffer, key: string | null = 'user123'): OriginalRecord => ({
  topic: 'user-activity-logs',
  partition: 2,
  offset: '41',
  key,
  value,
  headers: { source: 'api', eventId: 'evt_1234567890', correlationId: 'req-1' },
});

const NOW = new Date('2024-01-13T00:00:00.000Z');

describe('a replay record', () => {
  it('carries the original event, key and headers, without the DLQ headers, plus replay headers', () => {
    const event = {
      userId: 'user123',
      activityType: 'teleport',
      eventId: 'evt_1234567890',
      version: '1.0.0',
    };
    const replay = toReplayRecord(
      readBack(original(Buffer.from(JSON.stringify(event)))),
      'x-dlq',
      NOW,
    );
    expect(replay?.key).toBe('user123');
    expect(JSON.parse(replay?.value.toString() ?? '')).toEqual(event);
    expect(replay?.headers).toEqual({
      source: 'api',
      eventId: 'evt_1234567890',
      correlationId: 'req-1',
      contentType: 'application/json',
      replayedAt: '2024-01-13T00:00:00.000Z',
      replayedFrom: 'x-dlq/1/7',
    });
  });

  it('puts back bytes that were not JSON exactly as they were', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x7b]);
    expect(toReplayRecord(readBack(original(bytes)), 'x-dlq', NOW)?.value.equals(bytes)).toBe(true);
  });

  it('has no key when the original had none', () => {
    expect(
      toReplayRecord(readBack(original(Buffer.from('x'), null)), 'x-dlq', NOW)?.key,
    ).toBeNull();
  });

  it('is not made from a DLQ record that holds no envelope', () => {
    const record: DlqRecord = { ...readBack(original(Buffer.from('x'))), envelope: null };
    expect(toReplayRecord(record, 'x-dlq', NOW)).toBeNull();
  });

  it('names its DLQ coordinates, and the record its error code', () => {
    expect(replayedFrom('t', { partition: 0, offset: '12' })).toBe('t/0/12');
    const record = readBack(original(Buffer.from('x')));
    expect(dlqCodeOf(record)).toBe('VALIDATION_ERROR');
    expect(dlqCodeOf({ ...record, envelope: null })).toBe('VALIDATION_ERROR');
  });
});
