import { CompressionTypes } from 'kafkajs';
import { DlqRecord } from '../dlq/dlq.reader';
import { ReplayRecord, toReplayRecord } from '../dlq/dlq.replay';
import { ParsedArgs, UsageError, parseCommandArgs, parseRecordRef, stringFlag } from './args';
import { CliContext } from './context';
import { matches, readWithProgress, summarize } from './dlq-common';
import { json, renderTable } from './output';

const BATCH = 500;

interface Replay {
  source: DlqRecord;
  record: ReplayRecord;
}

/**
 * Puts selected DLQ records back on the main topic, byte for byte, keeping their key and eventId:
 * the consumer's deduplication then makes a replay (or a repeated one) store each event once.
 * `--group G` selects what one consumer group dead-lettered; the replayed record reaches every
 * group again, and groups that had stored it count it as a duplicate.
 */
export async function replayCommand(ctx: CliContext, argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, {
    code: { type: 'string' },
    group: { type: 'string' },
    offsets: { type: 'string' },
    all: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  });
  const dlqTopic = ctx.settings.topics.deadLetter.name;
  const target = ctx.settings.topics.activity.name;
  const { ready, skipped } = await select(ctx, args);
  const dryRun = Boolean(args.flags['dry-run']);
  if (!dryRun) await produce(ctx, target, ready);

  const result = {
    dryRun,
    target,
    replayed: dryRun ? 0 : ready.length,
    records: ready.map((r) => summarize(r.source)),
    skipped: skipped.map(summarize),
  };
  if (args.flags.json) return ctx.io.out(json(result));
  ctx.io.out(
    `${dryRun ? 'would replay' : 'replayed'} ${ready.length} record(s) from ${dlqTopic} to ${target}`,
  );
  if (ready.length > 0)
    ctx.io.out(
      renderTable(
        ['PARTITION', 'OFFSET', 'CODE', 'GROUP', 'EVENT-ID', 'KEY'],
        result.records.map((r) => [r.partition, r.offset, r.code, r.group, r.eventId, r.key]),
      ),
    );
  for (const s of result.skipped)
    ctx.io.err(`skipped ${s.partition}:${s.offset}: not a DLQ envelope, nothing to replay`);
}

/** The DLQ records the flags select, as replay records (or skipped when they hold no envelope). */
async function select(
  ctx: CliContext,
  args: ParsedArgs,
): Promise<{ ready: Replay[]; skipped: DlqRecord[] }> {
  const code = stringFlag(args, 'code');
  const group = stringFlag(args, 'group');
  const offsets = stringFlag(args, 'offsets');
  if (!code && !group && !offsets && !args.flags.all)
    throw new UsageError(
      'dlq replay needs a selection: --code C, --group G, --offsets p:o,... or --all',
    );
  const refs = offsets?.split(',').map(parseRecordRef);
  const selected = (await readWithProgress(ctx, { refs })).filter((r) => matches(r, code, group));
  const now = new Date();
  const dlqTopic = ctx.settings.topics.deadLetter.name;
  const ready: Replay[] = [];
  const skipped: DlqRecord[] = [];
  for (const source of selected) {
    const record = toReplayRecord(source, dlqTopic, now);
    if (record) ready.push({ source, record });
    else skipped.push(source);
  }
  return { ready, skipped };
}

/** Produces in batches with acks from all replicas, printing progress after each batch. */
async function produce(ctx: CliContext, target: string, ready: Replay[]): Promise<void> {
  if (ready.length === 0) return;
  const producer = ctx.kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < ready.length; i += BATCH) {
      await producer.send({
        topic: target,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: ready.slice(i, i + BATCH).map((r) => r.record),
      });
      ctx.progress(`replayed ${Math.min(i + BATCH, ready.length)}/${ready.length} to ${target}`);
    }
  } finally {
    await producer.disconnect();
  }
}
