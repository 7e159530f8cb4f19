import type { Admin } from 'kafkajs';
import { resolveTopicSpecs } from '@app/contracts';
import { TopicProvisioner } from './topic-provisioner';

const spec = resolveTopicSpecs().activity;

/** Just the admin calls the provisioner makes, over an in-memory cluster. */
function fakeAdmin(topic?: {
  partitions: number;
  configs: Record<string, [string, number]>;
  replicas?: number[];
  brokers?: number;
}) {
  const calls = {
    createTopics: 0,
    createPartitions: [] as number[],
    alterConfigs: [] as unknown[],
    reassignments: [] as unknown[],
  };
  const admin = {
    listTopics: async () => (topic ? [spec.name] : []),
    // A concurrent provisioner created it first: kafkajs answers false.
    createTopics: async () => {
      calls.createTopics += 1;
      return false;
    },
    fetchTopicMetadata: async () => ({
      topics: [
        {
          name: spec.name,
          partitions: Array.from({ length: topic?.partitions ?? 3 }, (_, partitionId) => ({
            partitionId,
            replicas: topic?.replicas ?? [1],
          })),
        },
      ],
    }),
    describeCluster: async () => ({
      brokers: Array.from({ length: topic?.brokers ?? 1 }, (_, i) => ({ nodeId: i + 1 })),
    }),
    alterPartitionReassignments: async (request: unknown) => {
      calls.reassignments.push(request);
    },
    createPartitions: async ({ topicPartitions }: { topicPartitions: { count: number }[] }) => {
      calls.createPartitions.push(topicPartitions[0].count);
    },
    describeConfigs: async () => ({
      resources: [
        {
          resourceName: spec.name,
          configEntries: Object.entries(topic?.configs ?? {}).map(
            ([configName, [configValue, configSource]]) => ({
              configName,
              configValue,
              configSource,
              isSensitive: false,
            }),
          ),
        },
      ],
    }),
    alterConfigs: async (request: unknown) => {
      calls.alterConfigs.push(request);
    },
  };
  return { admin: admin as unknown as Admin, calls };
}

const DYNAMIC = 1;
const DEFAULT = 5;

describe('TopicProvisioner', () => {
  it('reconciles, and does not report as its own, a topic a concurrent run created first', async () => {
    const { admin, calls } = fakeAdmin();
    const report = await new TopicProvisioner(admin).provision([spec]);
    expect(calls.createTopics).toBe(1);
    expect(report.changes.filter((c) => c.action === 'created')).toEqual([]);
  });

  it('tries again while a concurrently created topic is not yet hosted, and gives up on other errors', async () => {
    const { admin } = fakeAdmin();
    const createTopics = admin.createTopics.bind(admin);
    let failures = 2;
    admin.createTopics = async (request) => {
      if (failures-- > 0) throw new Error('This server does not host this topic-partition');
      return createTopics(request);
    };
    await expect(new TopicProvisioner(admin).provision([spec])).resolves.toBeDefined();
    expect(failures).toBe(-1);

    admin.createTopics = async () => {
      throw new Error('Replication factor: 3 larger than available brokers: 1');
    };
    await expect(new TopicProvisioner(admin).provision([spec])).rejects.toThrow(
      /set KAFKA_REPLICATION_FACTOR/,
    );
  });

  it('keeps unmanaged dynamic overrides when it repairs retention, and logs each change', async () => {
    const { admin, calls } = fakeAdmin({
      partitions: 3,
      configs: {
        'retention.ms': ['1000', DYNAMIC],
        'cleanup.policy': ['delete', DYNAMIC],
        'max.message.bytes': ['2000000', DYNAMIC],
        'segment.bytes': ['1073741824', DEFAULT],
      },
    });
    const log = jest.fn();
    const report = await new TopicProvisioner(admin, { log, warn: jest.fn() }).provision([spec]);
    expect(report.changes).toEqual([
      { topic: spec.name, action: 'config-repaired', detail: 'retention.ms: 1000 -> 604800000' },
    ]);
    expect(calls.alterConfigs).toEqual([
      expect.objectContaining({
        resources: [
          expect.objectContaining({
            configEntries: [
              { name: 'max.message.bytes', value: '2000000' },
              { name: 'retention.ms', value: '604800000' },
              { name: 'cleanup.policy', value: 'delete' },
            ],
          }),
        ],
      }),
    ]);
    expect(log).toHaveBeenCalledWith(
      `topic ${spec.name}: config-repaired (retention.ms: 1000 -> 604800000)`,
    );
  });

  it('raises partitions, and only warns when there are more than configured', async () => {
    const raised = fakeAdmin({
      partitions: 2,
      configs: { 'retention.ms': ['604800000', DYNAMIC], 'cleanup.policy': ['delete', DYNAMIC] },
    });
    const up = await new TopicProvisioner(raised.admin).provision([spec]);
    expect(raised.calls.createPartitions).toEqual([3]);
    expect(up.changes).toEqual([
      { topic: spec.name, action: 'partitions-increased', detail: '2 -> 3' },
    ]);

    const more = fakeAdmin({
      partitions: 6,
      configs: { 'retention.ms': ['604800000', DYNAMIC], 'cleanup.policy': ['delete', DYNAMIC] },
    });
    const warn = jest.fn();
    const down = await new TopicProvisioner(more.admin, { log: jest.fn(), warn }).provision([spec]);
    expect(more.calls.createPartitions).toEqual([]);
    expect(down.changes).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('partitions are never removed'));
  });

  it('adds replicas where a topic has fewer than configured, least-loaded brokers first', async () => {
    const rf3 = resolveTopicSpecs({ replicationFactor: 3 }).activity;
    const configs: Record<string, [string, number]> = {
      'retention.ms': ['604800000', DYNAMIC],
      'cleanup.policy': ['delete', DYNAMIC],
      'min.insync.replicas': ['2', DYNAMIC],
    };
    const grown = fakeAdmin({ partitions: 3, configs, replicas: [1], brokers: 3 });
    const report = await new TopicProvisioner(grown.admin).provision([rf3]);
    expect(report.changes).toEqual([
      { topic: rf3.name, action: 'replication-increased', detail: '3 partitions 1 -> 3 replicas' },
    ]);
    expect(grown.calls.reassignments).toEqual([
      {
        topics: [
          {
            topic: rf3.name,
            partitionAssignment: [0, 1, 2].map((partition) => ({
              partition,
              replicas: [1, 2, 3],
            })),
          },
        ],
      },
    ]);

    const small = fakeAdmin({ partitions: 3, configs, replicas: [1], brokers: 1 });
    const warned = await new TopicProvisioner(small.admin).provision([rf3]);
    expect(small.calls.reassignments).toEqual([]);
    expect(warned.warnings).toEqual([expect.stringContaining('the cluster has 1 brokers')]);
  });

  it('repairs a drifted min.insync.replicas (RF 3 defaults it to 2)', async () => {
    const rf3 = resolveTopicSpecs({ replicationFactor: 3 }).activity;
    expect(rf3.minInsyncReplicas).toBe(2);
    const drifted = fakeAdmin({
      partitions: 3,
      replicas: [1, 2, 3],
      brokers: 3,
      configs: {
        'retention.ms': ['604800000', DYNAMIC],
        'cleanup.policy': ['delete', DYNAMIC],
        'min.insync.replicas': ['1', DYNAMIC],
      },
    });
    const report = await new TopicProvisioner(drifted.admin).provision([rf3]);
    expect(report.changes).toEqual([
      { topic: rf3.name, action: 'config-repaired', detail: 'min.insync.replicas: 1 -> 2' },
    ]);
  });
});
