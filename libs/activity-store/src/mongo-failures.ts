import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { type FailureKind, classifyCommonFailure } from '@app/ingestion';

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
  14031, // OutOfDiskSpace: frees up; storing later is fine (never dead-lettered for it)
]);

/** A full disk, in the words of the servers (FerretDB/SQLite answers InternalError with it). */
const DISK_FULL = /disk is full|no space left on device|ENOSPC|SQLITE_FULL|OutOfDiskSpace/i;

/** The document itself is the problem: no retry can store it. */
const PERMANENT_MONGO_CODES = new Set([
  10334, // BSONObjectTooLarge
  17280, // KeyTooLong
]);

/**
 * What a MongoDB failure means for the ingestion engine: the database unreachable, timing out or
 * changing primary is transient (the partition waits and retries, nothing is dead-lettered for
 * it); a document the server can never take is permanent; anything else is unclassified. Takes
 * thrown errors and the per-document write errors of a bulk insert (`{ code }`).
 */
export function classifyMongoFailure(error: unknown): FailureKind {
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
  }
  if (DISK_FULL.test(failureText(error))) return 'transient';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') {
    if (TRANSIENT_MONGO_CODES.has(code)) return 'transient';
    if (PERMANENT_MONGO_CODES.has(code)) return 'permanent';
  }
  return classifyCommonFailure(error);
}

/** The server's words for a failure: `message` on driver errors, `errmsg` on raw replies. */
function failureText(error: unknown): string {
  const fields = (error ?? {}) as { message?: unknown; errmsg?: unknown };
  for (const text of [fields.message, fields.errmsg]) if (typeof text === 'string') return text;
  return '';
}
