import { Kafka } from 'kafkajs';
import { resolveTopicSpecs } from '@app/contracts';
import type { PartitionLag, TopicDescription } from '@app/kafka-admin';
import { isolatedEnv } from '../support/isolation';
import {
  deleteTopicsWithPrefix,
  kafka,
  kafkaAdminCli,
  kafkaAdminJson,
  kafkaTool,
} from './kafka-admin.support';

/** What TopicCommand --describe prints, in the same shape as `kafka-admin topics describe --json`. */
function parseTopicCommand(
  output: string,
): Omit<TopicDescription, 'config'> & { configs: Record<string, string> } {
  const head =
    /Topic: (\S+)\s+TopicId: \S+\s+PartitionCount: (\d+)\s+ReplicationFactor: (\d+)\s+Configs: (\S*)/.exec(
      output,
    );
  if (!head) throw new Error(`unexpected TopicCommand output:\n${output}`);
  const list = (s: string) => (s ? s.split(',').map(Number) : []);
  const partitions = [
    ...output.matchAll(/Partition: (\d+)\s+Leader: (-?\d+)\s+Replicas: ([\d,]*)\s+Isr: ([\d,]*)/g),
  ].map((m) => ({
    partition: Number(m[1]),
    leader: Number(m[2]),
    replicas: list(m[3]),
    isr: list(m[4]),
  }));
  const configs = Object.fromEntries(
    head[4]
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  );
  return {
    topic: head[1],
    partitionCount: Number(head[2]),
    replicationFactor: Number(head[3]),
    configs,
    partitions,
  };
}

/** The rows of ConsumerGroupCommand --describe, as topic/partition/current/end/lag. */
function parseGroupCommand(output: string): Omit<PartitionLag, never>[] {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const headerAt = lines.findIndex((l) => l.startsWith('GROUP '));
  if (headerAt < 0) throw new Error(`unexpected ConsumerGroupCommand output:\n${output}`);
  const header = lines[headerAt].split(/\s+/);
  return lines.slice(headerAt + 1).map((line) => {
    const cells = line.split(/\s+/);
    const cell = (name: string) => cells[header.indexOf(name)];
    const current = cell('CURRENT-OFFSET');
    return {
      topic: cell('TOPIC'),
      partition: Number(cell('PARTITION')),
      committedOffset: current === '-' ? null : current,
      endOffset: cell('LOG-END-OFFSET'),
      lag: cell('LAG'),
    };
  });
}

async function produceTo(client: Kafka, topic: string, perPartition: number[]): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: perPartition.flatMap((count, partition) =>
      Array.from({ length: count }, (_, i) => ({
        partition,
        key: `u${partition}`,
        value: `m${i}`,
      })),
    ),
  });
  await producer.disconnect();
}

/** A group with a known backlog: a consumer joins, commits the given offsets, then leaves. */
async function groupWithCommits(
  client: Kafka,
  groupId: string,
  topic: string,
  offsets: string[],
): Promise<void> {
  const consumer = client.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  try {
    // Reads but never commits on its own: the only commits are the ones below.
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    await consumer.commitOffsets(
      offsets.map((offset, partition) => ({ topic, partition, offset })),
    );
  } finally {
    await consumer.disconnect();
  }
}

describe("the kafka-admin CLI agrees with Kafka's own tools on the same cluster", () => {
  const iso = isolatedEnv('cli-tools');
  const env = { KAFKA_TOPIC_PREFIX: iso.prefix };
  const specs = resolveTopicSpecs({ prefix: iso.prefix });
  const client = kafka('e2e-cli-tools');

  beforeAll(async () => {
    const created = await kafkaAdminJson<{ changes: { action: string }[] }>(
      ['topics', 'create'],
      env,
    );
    expect(created.changes.map((c) => c.action)).toEqual(['created', 'created', 'created']);
  });
  afterAll(() => deleteTopicsWithPrefix(iso.prefix));

  it('topics create reports nothing to change on a second run', async () => {
    const again = await kafkaAdminCli(['topics', 'create'], env);
    expect(again).toMatchObject({
      code: 0,
      stdout: 'nothing to change: every topic matches the spec\n',
    });
  });

  it('topics describe --json matches TopicCommand --describe for every spec topic', async () => {
    const ours = await kafkaAdminJson<TopicDescription[]>(['topics', 'describe'], env);
    expect(ours.map((t) => t.topic)).toEqual(Object.values(specs).map((s) => s.name));
    for (const topic of ours) {
      const theirs = parseTopicCommand(
        await kafkaTool('topics', '--describe', '--topic', topic.topic),
      );
      expect(topic.partitionCount).toBe(theirs.partitionCount);
      expect(topic.replicationFactor).toBe(theirs.replicationFactor);
      expect(topic.partitions).toEqual(theirs.partitions);
      expect(topic.config['retention.ms']).toBe(theirs.configs['retention.ms']);
      expect(topic.config['cleanup.policy']).toBe(theirs.configs['cleanup.policy']);
    }
    // One broker: min.insync.replicas is the broker's default (the spec sets it from RF 3 on).
    expect(ours[0].config).toEqual({
      'retention.ms': '604800000',
      'cleanup.policy': 'delete',
      'min.insync.replicas': '1',
    });
  });

  it('topics alter raises 3 → 6 partitions (TopicCommand sees 6) and refuses 6 → 3 with exit 1', async () => {
    const topic = specs.analytics.name;
    const raised = await kafkaAdminJson<{ before: number; after: number }>(
      ['topics', 'alter', '--topic', topic, '--partitions', '6'],
      env,
    );
    expect(raised).toMatchObject({ before: 3, after: 6 });
    expect(
      parseTopicCommand(await kafkaTool('topics', '--describe', '--topic', topic)).partitionCount,
    ).toBe(6);

    const lowered = await kafkaAdminCli(
      ['topics', 'alter', '--topic', topic, '--partitions', '3'],
      env,
    );
    expect(lowered.code).toBe(1);
    expect(lowered.stderr).toContain(`${topic} has 6 partitions; Kafka cannot lower that to 3`);
  });

  it('groups describe --json matches ConsumerGroupCommand for a stopped group with a known backlog', async () => {
    const topic = specs.activity.name;
    await produceTo(client, topic, [5, 3, 4]);
    await groupWithCommits(client, iso.groupId, topic, ['2', '3', '0']);

    const ours = await kafkaAdminJson<{ state: string; partitions: PartitionLag[] }>(
      ['groups', 'describe', iso.groupId],
      env,
    );
    const theirs = parseGroupCommand(
      await kafkaTool('groups', '--describe', '--group', iso.groupId),
    );
    expect(ours.partitions).toEqual(theirs.sort((a, b) => a.partition - b.partition));
    expect(ours.partitions.map((p) => p.lag)).toEqual(['3', '0', '4']);
    expect(ours.state).toBe('Empty');
  });

  it('explains bad usage and an unknown group with non-zero exits', async () => {
    expect(await kafkaAdminCli(['topics', 'alter', '--topic', 'x'], env)).toMatchObject({
      code: 2,
    });
    expect(await kafkaAdminCli(['frobnicate'], env)).toMatchObject({ code: 2 });
    const unknown = await kafkaAdminCli(['groups', 'describe', `${iso.prefix}nobody`], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not found');
    const badEnv = await kafkaAdminCli(['topics', 'describe'], {
      ...env,
      KAFKA_BROKERS: 'nohostport',
    });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toContain('KAFKA_BROKERS');
  });
});
