import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { FailureKind } from './retry-policy';

const TRANSIENT_MONGO_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  50, // MaxTimeMSExpired
]);

const KAFKA_TRANSIENT =
  /KafkaJS(Connection|Request|NumberOfRetriesExceeded|Timeout|BrokerNotFound|LockTimeout|NoBrokerAvailable)/;

/** Database unreachable, timeouts, broker trouble: the input is fine, retrying will succeed. */
export function classifyFailure(error: unknown): FailureKind {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError
  ) {
    return 'transient';
  }
  if (error instanceof MongoError) {
    if (
      error.hasErrorLabel('RetryableWriteError') ||
      error.hasErrorLabel('TransientTransactionError')
    )
      return 'transient';
    if (typeof error.code === 'number' && TRANSIENT_MONGO_CODES.has(error.code)) return 'transient';
  }
  if (error instanceof Error) {
    if (KAFKA_TRANSIENT.test(error.name) || (error as { retriable?: boolean }).retriable === true)
      return 'transient';
    if (/timed? ?out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/i.test(error.message))
      return 'transient';
  }
  return 'other';
}
