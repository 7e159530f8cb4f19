import { ErrorCode } from './error-codes';
import { DLQ_HEADERS, JSON_CONTENT_TYPE, HEADERS, OutgoingRecord } from './kafka-record';
import { isPlainObject } from './metadata.rules';

export interface DlqError {
  code: ErrorCode;
  message: string;
  /** When the record was dead-lettered. */
  timestamp: string;
  /** Processing attempts after the first one; 0 for errors no retry can fix. */
  retryCount: number;
}

/**
 * The value of a DLQ record. As in the spec, the original event's fields stand at the top level
 * next to `error`. When the original value was not a JSON object (or had its own `error` field),
 * its bytes are kept whole, base64-encoded, in `originalValue`.
 */
export type DlqEnvelope = Record<string, unknown> & {
  error: DlqError;
  originalValue?: string;
  originalValueEncoding?: 'base64';
};

export interface OriginalRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Parses a record value as a JSON object; null when it is anything else. */
export function parseJsonObject(value: Buffer | null): Record<string, unknown> | null {
  if (!value || value.length === 0) return null;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return isPlainObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function isLosslessUtf8(value: Buffer): boolean {
  return Buffer.from(value.toString('utf8'), 'utf8').equals(value);
}

export function buildDlqEnvelope(original: OriginalRecord, error: DlqError): DlqEnvelope {
  const parsed =
    original.value && isLosslessUtf8(original.value) ? parseJsonObject(original.value) : null;
  // Keys the envelope itself uses would be ambiguous at the top level: keep such values whole.
  if (parsed && !['error', 'originalValue', 'originalValueEncoding'].some((k) => k in parsed)) {
    return { ...parsed, error };
  }
  return {
    originalValue: (original.value ?? Buffer.alloc(0)).toString('base64'),
    originalValueEncoding: 'base64',
    error,
  };
}

/** The DLQ record for a failed original: same key, envelope value, original + DLQ headers. */
export function toDlqRecord(original: OriginalRecord, error: DlqError): OutgoingRecord {
  const key = original.key === null ? '' : original.key.toString();
  return {
    key,
    value: JSON.stringify(buildDlqEnvelope(original, error)),
    headers: {
      ...original.headers,
      [HEADERS.source]: original.headers[HEADERS.source] ?? 'unknown',
      [HEADERS.contentType]: JSON_CONTENT_TYPE,
      [DLQ_HEADERS.originalTopic]: original.topic,
      [DLQ_HEADERS.originalPartition]: String(original.partition),
      [DLQ_HEADERS.originalOffset]: original.offset,
      [DLQ_HEADERS.errorCode]: error.code,
    },
  };
}

/** The original record value of a DLQ envelope, byte for byte where it was kept whole. */
export function originalValueOf(envelope: DlqEnvelope): Buffer {
  if (envelope.originalValueEncoding === 'base64' && typeof envelope.originalValue === 'string') {
    return Buffer.from(envelope.originalValue, 'base64');
  }
  const { error: _error, ...event } = envelope;
  return Buffer.from(JSON.stringify(event));
}

/** Reads a DLQ record value back as an envelope; null when it is not one. */
export function parseDlqEnvelope(value: Buffer | null): DlqEnvelope | null {
  const parsed = parseJsonObject(value);
  if (!parsed || !isPlainObject(parsed.error)) return null;
  const { code, message } = parsed.error;
  return typeof code === 'string' && typeof message === 'string' ? (parsed as DlqEnvelope) : null;
}
