import { CompressionTypes } from 'kafkajs';
import { DlqRecord, dlqCodeOf } from '../dlq/dlq.reader';
import { ReplayRecord, toReplayRecord } from '../dlq/dlq.replay';
import { UsageError, parseCommandArgs, parseRecordRef, stringFlag } from './args';
import { CliContext } from './context';
import { readWithProgress, summarize } from './dlq-common';
import { json, renderTable } from './output';

const BATCH = 500;

/**
 * Puts selected DLQ records back on the main topic, byte for byte, keeping their key and eventId:
 * the consumer's deduplication then makes a replay (or a repeated one) store each event once.
 */
export async function replayCommand(ctx: CliContext, argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, {
    code: { type: 'string' },
    offsets: { type: 'string' },
    all: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  });
  const code = stringFlag(args, 'code');
  const offsets = stringFlag(args, 'offsets');
  if (!code && !offsets && !args.flags.all)
    throw new UsageError('dlq replay needs a selection: --code C, --offsets p:o,... or --all');
  const refs = offsets?.split(',').map(parseRecordRef);
  const dlqTopic = ctx.settings.topics.deadLetter.name;
  const target = ctx.settings.topics.activity.name;
  const selected = (await readWithProgress(ctx, { refs })).filter(
    (r) => !code || dlqCodeOf(r) === code,
  );
  const now = new Date();
  const replays = selected.map((r) => ({ source: r, record: toReplayRecord(r, dlqTopic, now) }));
  const skipped = replays.filter((r) => !r.record).map((r) => summarize(r.source));
  const ready = replays.filter(
    (r): r is { source: DlqRecord; record: ReplayRecord } => r.record !== null,
  );
  const dryRun = Boolean(args.flags['dry-run']);
  if (!dryRun && ready.length > 0) {
    const producer = ctx.kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (let i = 0; i < ready.length; i += BATCH) {
        const chunk = ready.slice(i, i + BATCH);
        await producer.send({
          topic: target,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: chunk.map(({ record }) => record),
        });
        ctx.progress(`replayed ${Math.min(i + BATCH, ready.length)}/${ready.length} to ${target}`);
      }
    } finally {
      await producer.disconnect();
    }
  }
  const result = {
    dryRun,
    target,
    replayed: dryRun ? 0 : ready.length,
    records: ready.map((r) => summarize(r.source)),
    skipped,
  };
  if (args.flags.json) return ctx.io.out(json(result));
  const verb = dryRun ? 'would replay' : 'replayed';
  ctx.io.out(`${verb} ${ready.length} record(s) from ${dlqTopic} to ${target}`);
  if (ready.length > 0)
    ctx.io.out(
      renderTable(
        ['PARTITION', 'OFFSET', 'CODE', 'EVENT-ID', 'KEY'],
        result.records.map((r) => [r.partition, r.offset, r.code, r.eventId, r.key]),
      ),
    );
  for (const s of skipped)
    ctx.io.err(`skipped ${s.partition}:${s.offset}: not a DLQ envelope, nothing to replay`);
}
