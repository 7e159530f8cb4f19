import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/infra';

const run = promisify(execFile);

export interface GroupCommandRow {
  topic: string;
  partition: number;
  /** null where Kafka prints "-" (no committed offset). */
  currentOffset: number | null;
  logEndOffset: number;
  lag: number | null;
}

function kafkaLibs(): string {
  const cache = join(REPO_ROOT, '.infra', 'cache');
  const dir = readdirSync(cache).find((d) => d.startsWith('kafka-'));
  if (!dir) throw new Error(`no Kafka install under ${cache}`);
  return join(cache, dir, 'libs', '*');
}

const num = (s: string): number | null => (s === '-' ? null : Number(s));

/** Kafka's own `kafka-consumer-groups.sh --describe`, parsed: the reference the lag metric must match. */
export async function describeGroup(
  bootstrap: string,
  groupId: string,
): Promise<GroupCommandRow[]> {
  const { stdout } = await run(
    'java',
    [
      '-cp',
      kafkaLibs(),
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      '--bootstrap-server',
      bootstrap,
      '--describe',
      '--group',
      groupId,
    ],
    { timeout: 60_000 },
  );
  const lines = stdout.split('\n').filter((l) => l.trim());
  const header = lines.findIndex((l) => /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET/.test(l));
  if (header < 0) throw new Error(`unexpected ConsumerGroupCommand output:\n${stdout}`);
  return lines.slice(header + 1).map((line) => {
    const [, topic, partition, current, end, lag] = line.trim().split(/\s+/);
    return {
      topic,
      partition: Number(partition),
      currentOffset: num(current),
      logEndOffset: Number(end),
      lag: num(lag),
    };
  });
}
