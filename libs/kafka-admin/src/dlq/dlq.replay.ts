import { DLQ_HEADERS, HEADERS, originalValueOf } from '@app/contracts';
import type { DlqRecord } from './dlq.reader';

export interface ReplayRecord {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

const DLQ_ONLY_HEADERS: ReadonlySet<string> = new Set(Object.values(DLQ_HEADERS));

/** Where a replayed record came from, as written in its `replayedFrom` header. */
export const replayedFrom = (dlqTopic: string, record: { partition: number; offset: string }) =>
  `${dlqTopic}/${record.partition}/${record.offset}`;

/**
 * The record to put back on the main topic for one DLQ record: the original bytes and key (so
 * the eventId, and with it deduplication, is unchanged), the original headers, and two headers
 * that record the replay. Null when the DLQ record holds no envelope to take the original from.
 */
export function toReplayRecord(
  record: DlqRecord,
  dlqTopic: string,
  now: Date,
): ReplayRecord | null {
  if (!record.envelope) return null;
  const headers = Object.fromEntries(
    Object.entries(record.headers).filter(([name]) => !DLQ_ONLY_HEADERS.has(name)),
  );
  return {
    key: record.key || null,
    value: originalValueOf(record.envelope),
    headers: {
      ...headers,
      [HEADERS.replayedAt]: now.toISOString(),
      [HEADERS.replayedFrom]: replayedFrom(dlqTopic, record),
    },
  };
}
