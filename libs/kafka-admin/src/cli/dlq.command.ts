import {
  CommandError,
  ParsedArgs,
  UsageError,
  dateFlag,
  intFlag,
  parseCommandArgs,
  parseRecordRef,
  stringFlag,
} from './args';
import { CliContext } from './context';
import { matches, readWithProgress, summarize } from './dlq-common';
import { replayCommand } from './dlq-replay.command';
import { json, renderTable, truncate } from './output';

export const DLQ_USAGE = `kafka-admin dlq list [--code C] [--group G] [--since ISO] [--until ISO] [--limit N]
kafka-admin dlq inspect <partition>:<offset>
kafka-admin dlq replay (--code C | --group G | --offsets p:o,... | --all) [--dry-run]`;

export async function dlqCommand(ctx: CliContext, argv: readonly string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(
        ctx,
        parseCommandArgs(rest, {
          code: { type: 'string' },
          since: { type: 'string' },
          until: { type: 'string' },
          limit: { type: 'string' },
        }),
      );
    case 'inspect':
      return inspect(ctx, parseCommandArgs(rest, {}));
    case 'replay':
      return replayCommand(ctx, rest);
    default:
      throw new UsageError(`unknown dlq command "${sub ?? ''}"`);
  }
}

async function list(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const code = stringFlag(args, 'code');
  const group = stringFlag(args, 'group');
  const since = dateFlag(args, 'since');
  const until = dateFlag(args, 'until');
  const limit = intFlag(args, 'limit', 1);
  const records = (await readWithProgress(ctx, { since }))
    .filter((r) => matches(r, code, group))
    .filter((r) => !since || Date.parse(r.timestamp) >= since.getTime())
    .filter((r) => !until || Date.parse(r.timestamp) < until.getTime())
    .slice(0, limit);
  const rows = records.map(summarize);
  if (args.flags.json) return ctx.io.out(json(rows));
  if (rows.length === 0) return ctx.io.out('no matching DLQ records');
  ctx.io.out(
    renderTable(
      ['PARTITION', 'OFFSET', 'DEAD-LETTERED-AT', 'CODE', 'GROUP', 'EVENT-ID', 'KEY', 'MESSAGE'],
      rows.map((r) => [
        r.partition,
        r.offset,
        r.deadLetteredAt,
        r.code,
        r.group,
        r.eventId,
        r.key,
        truncate(r.message ?? '', 60),
      ]),
    ),
  );
}

async function inspect(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [raw] = args.positionals;
  if (!raw || args.positionals.length > 1)
    throw new UsageError('dlq inspect needs one partition:offset');
  const ref = parseRecordRef(raw);
  const [record] = await readWithProgress(ctx, { refs: [ref] });
  if (!record) {
    throw new CommandError(
      `no record at ${ctx.settings.topics.deadLetter.name} ${ref.partition}:${ref.offset}`,
    );
  }
  const detail = {
    ...summarize(record),
    headers: record.headers,
    envelope: record.envelope,
    ...(record.envelope ? {} : { valueBase64: record.value?.toString('base64') ?? null }),
  };
  ctx.io.out(json(detail));
}
