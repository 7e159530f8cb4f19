import { ConfigResourceTypes } from 'kafkajs';
import { TopicDescription } from '../topics/topic-description';
import { TopicProvisioner } from '../topics/topic-provisioner';
import {
  CommandError,
  ParsedArgs,
  UsageError,
  intFlag,
  parseCommandArgs,
  stringFlag,
} from './args';
import { CliContext } from './context';
import { json, renderTable } from './output';

export const TOPICS_USAGE = `kafka-admin topics create                       create or repair every topic of the spec
kafka-admin topics describe [--topic T]         partitions, leader, replicas, isr, retention.ms, cleanup.policy
kafka-admin topics alter --topic T --partitions N   raise the partition count (never lowers it)`;

export async function topicsCommand(ctx: CliContext, argv: readonly string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
      return create(ctx, parseCommandArgs(rest, {}));
    case 'describe':
      return describe(ctx, parseCommandArgs(rest, { topic: { type: 'string' } }));
    case 'alter':
      return alter(
        ctx,
        parseCommandArgs(rest, { topic: { type: 'string' }, partitions: { type: 'string' } }),
      );
    default:
      throw new UsageError(`unknown topics command "${sub ?? ''}"`);
  }
}

async function create(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const specs = Object.values(ctx.settings.topics);
  ctx.progress(`provisioning ${specs.map((s) => s.name).join(', ')}`);
  const report = await new TopicProvisioner(await ctx.admin()).provision(specs);
  if (args.flags.json) return ctx.io.out(json(report));
  if (report.changes.length === 0) ctx.io.out('nothing to change: every topic matches the spec');
  else
    ctx.io.out(
      renderTable(
        ['TOPIC', 'CHANGE', 'DETAIL'],
        report.changes.map((c) => [c.topic, c.action, c.detail]),
      ),
    );
  for (const warning of report.warnings) ctx.io.err(`warning: ${warning}`);
}

export async function describeTopics(
  ctx: CliContext,
  names: readonly string[],
): Promise<TopicDescription[]> {
  const admin = await ctx.admin();
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((n) => !existing.has(n));
  if (missing.length > 0) throw new CommandError(`no such topic: ${missing.join(', ')}`);
  const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  return names.map((name) => {
    const meta = topics.find((t) => t.name === name);
    const entries = resources.find((r) => r.resourceName === name)?.configEntries ?? [];
    const value = (key: string) => entries.find((e) => e.configName === key)?.configValue ?? null;
    const partitions = (meta?.partitions ?? [])
      .map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: [...p.replicas],
        isr: [...p.isr],
      }))
      .sort((a, b) => a.partition - b.partition);
    return {
      topic: name,
      partitionCount: partitions.length,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      config: {
        'retention.ms': value('retention.ms'),
        'cleanup.policy': value('cleanup.policy'),
        'min.insync.replicas': value('min.insync.replicas'),
      },
      partitions,
    };
  });
}

async function describe(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const topic = stringFlag(args, 'topic');
  const names = topic ? [topic] : Object.values(ctx.settings.topics).map((s) => s.name);
  const described = await describeTopics(ctx, names);
  if (args.flags.json) return ctx.io.out(json(described));
  const blocks = described.map(
    (t) =>
      `Topic: ${t.topic}  PartitionCount: ${t.partitionCount}  ReplicationFactor: ${t.replicationFactor}  ` +
      `retention.ms: ${t.config['retention.ms']}  cleanup.policy: ${t.config['cleanup.policy']}  ` +
      `min.insync.replicas: ${t.config['min.insync.replicas']}\n` +
      renderTable(
        ['PARTITION', 'LEADER', 'REPLICAS', 'ISR'],
        t.partitions.map((p) => [p.partition, p.leader, p.replicas.join(','), p.isr.join(',')]),
      ),
  );
  ctx.io.out(blocks.join('\n\n'));
}

async function alter(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const topic = stringFlag(args, 'topic');
  const partitions = intFlag(args, 'partitions', 1);
  if (!topic || partitions === undefined)
    throw new UsageError('topics alter needs --topic T and --partitions N');
  const [current] = await describeTopics(ctx, [topic]);
  if (partitions < current.partitionCount) {
    throw new CommandError(
      `${topic} has ${current.partitionCount} partitions; Kafka cannot lower that to ${partitions} ` +
        '(and keys would map to other partitions)',
    );
  }
  if (partitions > current.partitionCount) {
    ctx.progress(`raising ${topic} from ${current.partitionCount} to ${partitions} partitions`);
    const admin = await ctx.admin();
    await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
  }
  const result = {
    topic,
    before: current.partitionCount,
    after: partitions,
    changed: partitions !== current.partitionCount,
  };
  if (args.flags.json) return ctx.io.out(json(result));
  ctx.io.out(
    result.changed
      ? `${topic}: partitions ${result.before} -> ${result.after}`
      : `${topic}: already has ${partitions} partitions, nothing to change`,
  );
}
