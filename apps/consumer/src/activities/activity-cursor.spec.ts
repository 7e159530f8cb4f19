import { CodedError, ErrorCode } from '@app/contracts';
import { decodeCursor, encodeCursor } from './activity-cursor';

describe('activity cursor', () => {
  it('round-trips a position as an opaque URL-safe string', () => {
    const position = { timestamp: '2026-01-01T10:00:00.000Z', eventId: 'evt_01ABC' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('rejects a forged or damaged cursor with a validation error naming the field', () => {
    for (const bad of ['not-a-cursor', Buffer.from('{"t":1}').toString('base64url')]) {
      let error: unknown;
      try {
        decodeCursor(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CodedError);
      expect((error as CodedError).code).toBe(ErrorCode.VALIDATION_ERROR);
      expect((error as CodedError).issues?.[0].field).toBe('cursor');
    }
  });
});
