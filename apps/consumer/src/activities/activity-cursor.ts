import { CodedError, ErrorCode } from '@app/contracts';

/** A position in (timestamp desc, eventId desc) order: the last item of the previous page. */
export interface CursorPosition {
  timestamp: string;
  eventId: string;
}

/** Opaque to clients (base64url of a small JSON), so its shape may change without breaking them. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ t: position.timestamp, e: position.eventId })).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): CursorPosition {
  const invalid = (): CodedError =>
    new CodedError(ErrorCode.VALIDATION_ERROR, 'cursor is not a cursor returned by this API', [
      { field: 'cursor', message: 'is not a cursor returned by this API', rule: 'cursor' },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { t, e } = parsed as Record<string, unknown>;
  if (typeof t !== 'string' || typeof e !== 'string' || Number.isNaN(Date.parse(t))) {
    throw invalid();
  }
  return { timestamp: t, eventId: e };
}
