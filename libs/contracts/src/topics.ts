/** Topic names, as in the specification (shared/spec/kafka-topics-design.md). */
export const TOPICS = {
  activity: 'user-activity-logs',
  deadLetter: 'user-activity-logs-dlq',
  analytics: 'user-activity-analytics',
} as const;

export type TopicRole = keyof typeof TOPICS;

/** The spec's consumer group; Nest's `-server` postfix must not be appended to it. */
export const CONSUMER_GROUP_ID = 'user-activity-processor';
export const PRODUCER_CLIENT_ID = 'eyego-activity-producer';
export const CONSUMER_CLIENT_ID = 'eyego-activity-consumer';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export interface TopicSpec {
  role: TopicRole;
  name: string;
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
  cleanupPolicy: CleanupPolicy;
  /**
   * Replicas that must have a record before acks=all answers; undefined leaves the broker's
   * default. With replication factor 3, 2 lets one broker fail without refusing writes.
   */
  minInsyncReplicas?: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_TOPIC_SPECS: Readonly<Record<TopicRole, Omit<TopicSpec, 'role'>>> = {
  activity: {
    name: TOPICS.activity,
    partitions: 3,
    replicationFactor: 1,
    retentionMs: 7 * DAY_MS,
    cleanupPolicy: 'delete',
  },
  deadLetter: {
    name: TOPICS.deadLetter,
    partitions: 3,
    replicationFactor: 1,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
  },
  analytics: {
    name: TOPICS.analytics,
    partitions: 3,
    replicationFactor: 1,
    retentionMs: 24 * HOUR_MS,
    cleanupPolicy: 'delete',
  },
};

export interface TopicOverrides {
  /** Prepended to every topic name (isolated test runs, shared clusters). Default: none. */
  prefix?: string;
  /** Replication factor for every topic: 1 on one broker, 3 in production. */
  replicationFactor?: number;
  /** min.insync.replicas for every topic; default 2 where the replication factor is 3 or more. */
  minInsyncReplicas?: number;
  perTopic?: Partial<Record<TopicRole, Partial<Omit<TopicSpec, 'role' | 'name'>>>>;
}

export type TopicSpecs = Readonly<Record<TopicRole, TopicSpec>>;

/** The spec's topics with configuration applied; a pure function so both apps agree. */
export function resolveTopicSpecs(overrides: TopicOverrides = {}): TopicSpecs {
  const prefix = overrides.prefix ?? '';
  const resolve = (role: TopicRole): TopicSpec => {
    const base = DEFAULT_TOPIC_SPECS[role];
    const own = overrides.perTopic?.[role] ?? {};
    const spec: TopicSpec = {
      role,
      ...base,
      ...(overrides.replicationFactor ? { replicationFactor: overrides.replicationFactor } : {}),
      ...(overrides.minInsyncReplicas ? { minInsyncReplicas: overrides.minInsyncReplicas } : {}),
      ...own,
      name: prefix + base.name,
    };
    if (spec.minInsyncReplicas === undefined && spec.replicationFactor >= 3) {
      spec.minInsyncReplicas = 2;
    }
    return spec;
  };
  return {
    activity: resolve('activity'),
    deadLetter: resolve('deadLetter'),
    analytics: resolve('analytics'),
  };
}
