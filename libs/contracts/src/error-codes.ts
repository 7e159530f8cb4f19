/**
 * One vocabulary of error codes, shared by HTTP problem bodies, DLQ envelopes, logs and metric
 * labels. Values are stable strings: clients and dashboards match on them.
 */
export enum ErrorCode {
  /** The event (or request) failed a validation rule; details name the fields. */
  VALIDATION_ERROR = 'VALIDATION_ERROR',
  /** The event's `version` has a major version this service cannot read. */
  UNSUPPORTED_SCHEMA_VERSION = 'UNSUPPORTED_SCHEMA_VERSION',
  /** The Kafka record value is not a JSON object (not JSON, empty, or another JSON type). */
  MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
  /** The database could not be reached or did not answer in time (transient). */
  STORAGE_UNAVAILABLE = 'STORAGE_UNAVAILABLE',
  /** The Kafka cluster could not be reached or did not acknowledge in time (transient). */
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
  /** Processing kept failing for an unclassified reason until the retry budget ran out. */
  PROCESSING_FAILED = 'PROCESSING_FAILED',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  BATCH_TOO_LARGE = 'BATCH_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  RATE_LIMITED = 'RATE_LIMITED',
  UNAUTHORIZED = 'UNAUTHORIZED',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  /** The request (headers or body) did not arrive within the server's timeouts. */
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  /** The service sheds load (its queue is full or its event loop is late): retry after a while. */
  OVERLOADED = 'OVERLOADED',
  /** The request's Content-Encoding is not one the server decodes (gzip, deflate, br, identity). */
  UNSUPPORTED_CONTENT_ENCODING = 'UNSUPPORTED_CONTENT_ENCODING',
  /** The body does not decode with its Content-Encoding (corrupt or truncated stream). */
  CORRUPT_COMPRESSED_BODY = 'CORRUPT_COMPRESSED_BODY',
  /** The Idempotency-Key header and the body's eventId disagree. */
  IDEMPOTENCY_KEY_MISMATCH = 'IDEMPOTENCY_KEY_MISMATCH',
}

/** Errors worth retrying: the input is fine, a dependency is not. */
export const TRANSIENT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.STORAGE_UNAVAILABLE,
  ErrorCode.BROKER_UNAVAILABLE,
  ErrorCode.OVERLOADED,
]);

/**
 * An error that carries its code, thrown by use cases independent of transport. The HTTP layer
 * maps the code to a status; the consumer maps it to retry-or-dead-letter.
 */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { field: string; message: string; rule: string }[],
    /** For transient errors: when a retry may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}
