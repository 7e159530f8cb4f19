import { readGroupLag } from '../lag/lag-reader';
import { CommandError, UsageError, parseCommandArgs, stringFlag } from './args';
import { CliContext } from './context';
import { json, renderTable } from './output';

export const GROUPS_USAGE = `kafka-admin groups describe <group> [--topic T]   committed offset, end offset and lag per partition`;

export async function groupsCommand(ctx: CliContext, argv: readonly string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'describe') throw new UsageError(`unknown groups command "${sub ?? ''}"`);
  const args = parseCommandArgs(rest, { topic: { type: 'string' } });
  const [group] = args.positionals;
  if (!group || args.positionals.length > 1)
    throw new UsageError('groups describe needs exactly one group id');
  const admin = await ctx.admin();
  const topic = stringFlag(args, 'topic');
  // Without --topic: every topic the group has committed offsets on, as ConsumerGroupCommand does.
  const topics = topic
    ? [topic]
    : (await admin.fetchOffsets({ groupId: group })).map((t) => t.topic).sort();
  const [description] = (await admin.describeGroups([group])).groups;
  const rows = topics.length > 0 ? await readGroupLag(admin, group, topics) : [];
  const state = description?.state ?? 'Unknown';
  // Kafka's own ConsumerGroupCommand answers "not found" here too.
  if (state === 'Dead' && topics.length === 0) throw new CommandError(`group ${group} not found`);
  const members = description?.members.length ?? 0;
  if (args.flags.json) return ctx.io.out(json({ group, state, members, partitions: rows }));
  ctx.io.out(`Group: ${group}  State: ${state}  Members: ${members}`);
  if (rows.length === 0) return ctx.io.out('no committed offsets');
  ctx.io.out(
    renderTable(
      ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG'],
      rows.map((r) => [r.topic, r.partition, r.committedOffset, r.endOffset, r.lag]),
    ),
  );
}
