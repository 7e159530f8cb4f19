/** What the ingestion service may do to the partition a record came from; hides kafkajs. */
export interface PartitionHandle {
  /** Commits `nextOffset` (the offset of the next record to read, i.e. last stored + 1). */
  commit(nextOffset: string): Promise<void>;
  /** Keeps the group membership alive during long waits. */
  heartbeat(): Promise<void>;
}
