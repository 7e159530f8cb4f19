import type { FailureKind } from '../sink/activity-sink';

const KAFKA_TRANSIENT =
  /KafkaJS(Connection|Request|NumberOfRetriesExceeded|Timeout|BrokerNotFound|LockTimeout|NoBrokerAvailable)/;

/**
 * What any sink's failure means when the sink does not say: broker trouble, refused or reset
 * connections and timeouts are transient (the input is fine; retrying will succeed), anything else
 * is unclassified. Sinks refine it with their own store's error codes (ActivitySink.classify).
 */
export function classifyCommonFailure(error: unknown): FailureKind {
  if (error instanceof Error) {
    if (KAFKA_TRANSIENT.test(error.name) || (error as { retriable?: boolean }).retriable === true)
      return 'transient';
    if (/timed? ?out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/i.test(error.message))
      return 'transient';
  }
  return 'other';
}

/**
 * A short, stable name for why a write failed, for a metric label and the retry log: `disk_full`,
 * `timeout`, `unreachable` (refused, reset, no broker), or `error` for anything else.
 */
export function failureCause(error: unknown): 'disk_full' | 'timeout' | 'unreachable' | 'error' {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  if (/disk is full|no space left on device|ENOSPC|OutOfDiskSpace/i.test(text)) return 'disk_full';
  if (/timed? ?out|Timeout|did not answer within/i.test(text)) return 'timeout';
  if (
    /ECONNREFUSED|ECONNRESET|EPIPE|ServerSelection|Network|NoBrokerAvailable|Connection/i.test(text)
  )
    return 'unreachable';
  return 'error';
}
