import type { ActivityEvent } from './activity-event.dto';
import type { ValueCodec } from './serialization/value-codec';

/** Header names on `user-activity-logs` records (spec: source, timestamp; plus ours). */
export const HEADERS = {
  source: 'source',
  timestamp: 'timestamp',
  schemaVersion: 'schemaVersion',
  contentType: 'contentType',
  correlationId: 'correlationId',
  eventId: 'eventId',
  /** Set on records replayed from the DLQ: when and from which DLQ coordinates. */
  replayedAt: 'replayedAt',
  replayedFrom: 'replayedFrom',
} as const;

/** Header names added on `user-activity-logs-dlq` records (spec: originalTopic/Partition/Offset). */
export const DLQ_HEADERS = {
  originalTopic: 'originalTopic',
  originalPartition: 'originalPartition',
  originalOffset: 'originalOffset',
  errorCode: 'errorCode',
  /** The consumer group that refused the record (each group dead-letters its own failures). */
  consumerGroup: 'consumerGroup',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';

export interface OutgoingRecord {
  key: string;
  /** A string for JSON, bytes for Avro (see ValueCodec). */
  value: string | Buffer;
  headers: Record<string, string>;
}

export interface RecordOptions {
  source: string;
  correlationId: string;
  /** JSON of the event when already serialized (the validator returns it). */
  json?: string;
  now?: Date;
  /** KAFKA_VALUE_FORMAT's codec; JSON when absent. */
  codec?: ValueCodec;
}

/** The Kafka record of one event: key = userId (per-user ordering), value (JSON), headers. */
export function toActivityRecord(event: ActivityEvent, options: RecordOptions): OutgoingRecord {
  const { codec } = options;
  return {
    key: event.userId,
    value: codec ? codec.encode(event, options.json) : (options.json ?? JSON.stringify(event)),
    headers: {
      [HEADERS.source]: options.source,
      [HEADERS.timestamp]: (options.now ?? new Date()).toISOString(),
      [HEADERS.schemaVersion]: event.version,
      [HEADERS.contentType]: codec?.contentType ?? JSON_CONTENT_TYPE,
      [HEADERS.correlationId]: options.correlationId,
      [HEADERS.eventId]: event.eventId,
    },
  };
}

/** Kafka headers arrive as Buffers (or arrays of them); this reads them as strings. */
export function decodeHeaders(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  // Runs for every consumed record: keys and lookups rather than Object.entries' pair arrays.
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
