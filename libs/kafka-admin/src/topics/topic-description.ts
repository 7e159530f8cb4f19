/** One topic as `kafka-admin topics describe --json` prints it (TopicCommand's fields). */
export interface TopicDescription {
  topic: string;
  partitionCount: number;
  replicationFactor: number;
  config: {
    'retention.ms': string | null;
    'cleanup.policy': string | null;
    'min.insync.replicas': string | null;
  };
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
}
