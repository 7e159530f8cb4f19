import { DlqReader, DlqRecord, DlqSelection, dlqCodeOf } from '../dlq/dlq.reader';
import { CommandError } from './args';
import { CliContext } from './context';

/** Reads the DLQ with a progress line on stderr every ~10 % of the way. */
export async function readWithProgress(
  ctx: CliContext,
  selection: DlqSelection,
): Promise<DlqRecord[]> {
  const admin = await ctx.admin();
  const topic = ctx.settings.topics.deadLetter.name;
  if (!(await admin.listTopics()).includes(topic)) {
    throw new CommandError(`no such topic: ${topic} (kafka-admin topics create makes it)`);
  }
  const reader = new DlqReader(ctx.kafka, admin, topic);
  ctx.progress(`reading ${reader.topic}`);
  let reported = 0;
  return reader.read(selection, (read, total) => {
    if (total >= 100 && read - reported >= total / 10) {
      reported = read;
      ctx.progress(`read ${read}/${total} records of ${reader.topic}`);
    }
  });
}

export const summarize = (r: DlqRecord) => ({
  partition: r.partition,
  offset: r.offset,
  deadLetteredAt: r.timestamp,
  code: dlqCodeOf(r) ?? null,
  eventId:
    typeof r.envelope?.eventId === 'string' ? r.envelope.eventId : (r.headers.eventId ?? null),
  key: r.key,
  message: r.envelope?.error.message ?? null,
});
