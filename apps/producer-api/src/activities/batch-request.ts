import { isISO8601 } from 'class-validator';
import { CodedError, EVENT_ID_PATTERN, ErrorCode, FieldIssue } from '@app/contracts';

/** The client's clock at send time, beside the events (batch) or the event's fields (one). */
export const SENT_AT = 'sentAt';

export const invalid = (message: string, issues: FieldIssue[]) =>
  new CodedError(ErrorCode.VALIDATION_ERROR, message, issues);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The events of a batch body `{"events":[…]}`: an object with a non-empty array, within `max`. */
export function readBatchEvents(body: unknown, max: number): unknown[] {
  if (!isPlainObject(body)) {
    throw invalid('the body must be a JSON object with an events array', [
      { field: '', message: 'must be a JSON object', rule: 'isObject' },
    ]);
  }
  const unknown = Object.keys(body).filter((k) => k !== 'events' && k !== SENT_AT);
  if (unknown.length > 0) {
    throw invalid(
      `unknown field "${unknown[0]}"`,
      unknown.map((k) => ({ field: k, message: `unknown field "${k}"`, rule: 'unknownField' })),
    );
  }
  const { events } = body;
  if (!Array.isArray(events) || events.length === 0) {
    throw invalid('events must be a non-empty array', [
      { field: 'events', message: 'must be a non-empty array', rule: 'arrayNotEmpty' },
    ]);
  }
  if (events.length > max) {
    throw new CodedError(
      ErrorCode.BATCH_TOO_LARGE,
      `a batch holds at most ${max} events; got ${events.length}`,
    );
  }
  return events;
}

/** One produce request must stay under the broker's message size limit. */
export function checkBatchBytes(valid: readonly { bytes: number }[], maxBytes: number): void {
  const bytes = valid.reduce((sum, v) => sum + v.bytes, 0);
  if (bytes > maxBytes) {
    throw new CodedError(
      ErrorCode.BATCH_TOO_LARGE,
      `a batch holds at most ${maxBytes} bytes of events; got ${bytes}`,
    );
  }
}

/** Events whose eventId an earlier event of the batch has (the first one keeps it). */
export function duplicateIds(
  events: readonly { index: number; eventId: string }[],
): { index: number; issue: FieldIssue }[] {
  const seen = new Map<string, number>();
  const duplicates: { index: number; issue: FieldIssue }[] = [];
  for (const { index, eventId } of events) {
    const first = seen.get(eventId);
    if (first === undefined) seen.set(eventId, index);
    else
      duplicates.push({
        index,
        issue: { field: 'eventId', message: `duplicates events[${first}].eventId`, rule: 'unique' },
      });
  }
  return duplicates;
}

/**
 * `sentAt` of a body, when present: ISO-8601 with a zone, like a timestamp. How far it is from
 * the receive time is the client clock's offset, applied to its events' timestamps.
 */
export function readSentAt(body: unknown): Date | undefined {
  if (!isPlainObject(body) || body[SENT_AT] === undefined) return undefined;
  const value = body[SENT_AT];
  if (
    typeof value !== 'string' ||
    !isISO8601(value, { strict: true, strictSeparator: true }) ||
    !/(Z|[+-]\d{2}:?\d{2})$/.test(value)
  ) {
    throw invalid('sentAt must be an ISO-8601 date-time with a time zone', [
      {
        field: SENT_AT,
        message: 'must be an ISO-8601 date-time with a time zone',
        rule: 'isIso8601',
      },
    ]);
  }
  return new Date(value);
}

/** The event fields of a single-event body: without its `sentAt`. */
export function withoutSentAt(body: unknown): unknown {
  if (!isPlainObject(body) || !(SENT_AT in body)) return body;
  const { [SENT_AT]: _sentAt, ...event } = body;
  return event;
}

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/**
 * A single-event body with the Idempotency-Key header (IETF httpapi draft) applied: the key is
 * the eventId when the body has none, so a retry with the same key is stored once. The draft
 * sends it as a structured-field string ("…"); a bare token is accepted too. A body eventId
 * that differs is 400 IDEMPOTENCY_KEY_MISMATCH: which one the client meant cannot be guessed.
 */
export function applyIdempotencyKey(body: unknown, header: string | string[] | undefined): unknown {
  if (header === undefined) return body;
  const raw = Array.isArray(header) ? header.join(',') : header;
  const key = /^"(.*)"$/.exec(raw.trim())?.[1] ?? raw.trim();
  if (!EVENT_ID_PATTERN.test(key)) {
    throw invalid('the Idempotency-Key header must be a valid eventId', [
      {
        field: 'Idempotency-Key',
        message: `must match ${EVENT_ID_PATTERN.source} (it becomes the eventId)`,
        rule: 'matches',
      },
    ]);
  }
  if (!isPlainObject(body)) return body;
  if (body.eventId === undefined) return { ...body, eventId: key };
  if (body.eventId !== key) {
    throw new CodedError(
      ErrorCode.IDEMPOTENCY_KEY_MISMATCH,
      "the Idempotency-Key header and the body's eventId differ; send one, or the same value in both",
      [
        {
          field: 'eventId',
          message: 'differs from the Idempotency-Key header',
          rule: 'idempotencyKey',
        },
      ],
    );
  }
  return body;
}
