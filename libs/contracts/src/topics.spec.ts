import { CONSUMER_GROUP_ID, TOPICS, resolveTopicSpecs } from './topics';

const DAY = 24 * 60 * 60 * 1000;

describe('topic specs', () => {
  it('are the spec: three topics, 3 partitions, RF 1, 7 d / 30 d / 24 h retention, delete', () => {
    expect(resolveTopicSpecs()).toEqual({
      activity: {
        role: 'activity',
        name: 'user-activity-logs',
        partitions: 3,
        replicationFactor: 1,
        retentionMs: 7 * DAY,
        cleanupPolicy: 'delete',
      },
      deadLetter: {
        role: 'deadLetter',
        name: 'user-activity-logs-dlq',
        partitions: 3,
        replicationFactor: 1,
        retentionMs: 30 * DAY,
        cleanupPolicy: 'delete',
      },
      analytics: {
        role: 'analytics',
        name: 'user-activity-analytics',
        partitions: 3,
        replicationFactor: 1,
        retentionMs: DAY,
        cleanupPolicy: 'delete',
      },
    });
    expect(resolveTopicSpecs().activity.retentionMs).toBe(604_800_000);
    expect(resolveTopicSpecs().deadLetter.retentionMs).toBe(2_592_000_000);
    expect(resolveTopicSpecs().analytics.retentionMs).toBe(86_400_000);
    expect(TOPICS.activity).toBe('user-activity-logs');
    expect(CONSUMER_GROUP_ID).toBe('user-activity-processor');
  });

  it('apply a prefix to every name and a replication factor to every topic', () => {
    const specs = resolveTopicSpecs({ prefix: 'staging.', replicationFactor: 3 });
    expect(Object.values(specs).map((s) => s.name)).toEqual([
      'staging.user-activity-logs',
      'staging.user-activity-logs-dlq',
      'staging.user-activity-analytics',
    ]);
    expect(Object.values(specs).every((s) => s.replicationFactor === 3)).toBe(true);
  });

  it('let one topic override any value, which wins over the global ones', () => {
    const specs = resolveTopicSpecs({
      replicationFactor: 3,
      perTopic: {
        activity: { partitions: 12, retentionMs: 3 * DAY },
        deadLetter: { replicationFactor: 2, cleanupPolicy: 'compact,delete' },
      },
    });
    expect(specs.activity).toMatchObject({
      partitions: 12,
      retentionMs: 3 * DAY,
      replicationFactor: 3,
    });
    expect(specs.deadLetter).toMatchObject({
      partitions: 3,
      replicationFactor: 2,
      cleanupPolicy: 'compact,delete',
    });
    expect(specs.analytics).toMatchObject({
      partitions: 3,
      retentionMs: DAY,
      replicationFactor: 3,
    });
  });

  it('never let an override rename a topic', () => {
    const perTopic = { activity: { name: 'other' } } as never;
    expect(resolveTopicSpecs({ perTopic }).activity.name).toBe('user-activity-logs');
  });
});
