import { DLQ_HEADERS } from '@app/contracts';
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

/** The consumer group that dead-lettered the record (null for records older than the header). */
export const dlqGroupOf = (r: DlqRecord): string | null =>
  r.headers[DLQ_HEADERS.consumerGroup] ?? null;

/** `--code C` and `--group G` of list and replay. */
export const matches = (r: DlqRecord, code?: string, group?: string): boolean =>
  (!code || dlqCodeOf(r) === code) && (!group || dlqGroupOf(r) === group);

export const summarize = (r: DlqRecord) => ({
  partition: r.partition,
  offset: r.offset,
  deadLetteredAt: r.timestamp,
  code: dlqCodeOf(r) ?? null,
  group: dlqGroupOf(r),
  eventId:
    typeof r.envelope?.eventId === 'string' ? r.envelope.eventId : (r.headers.eventId ?? null),
  key: r.key,
  message: r.envelope?.error.message ?? null,
});
