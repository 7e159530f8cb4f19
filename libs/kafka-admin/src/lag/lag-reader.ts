import { Injectable } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { KafkaAdmin } from '../admin/kafka-admin';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Next offset the group will read; null when the group never committed on this partition. */
  committedOffset: string | null;
  /** Log end offset (high watermark). */
  endOffset: string;
  /** end - committed; with no commit, end - log start (everything retained is unread). */
  lag: string;
}

/** Committed vs end offsets of a consumer group, per partition, as Kafka's own tools compute it. */
export async function readGroupLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const rows: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const own = partitions.find((p) => p.partition === end.partition);
      const hasCommit = own !== undefined && own.offset !== '-1';
      const from = hasCommit ? BigInt(own.offset) : BigInt(end.low);
      const lag = BigInt(end.high) - from;
      rows.push({
        topic,
        partition: end.partition,
        committedOffset: hasCommit ? own.offset : null,
        endOffset: end.high,
        lag: (lag < 0n ? 0n : lag).toString(),
      });
    }
  }
  // Code-unit order, not localeCompare: collation would map ICU's collation data (about 2 MiB of RSS).
  return rows.sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  );
}

/** readGroupLag with the app's admin client. */
@Injectable()
export class LagReader {
  constructor(private readonly admin: KafkaAdmin) {}

  async read(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
    return readGroupLag(await this.admin.connect(), groupId, topics);
  }
}
