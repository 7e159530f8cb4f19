/**
 * kafkajs 2.2 groups each produce call's messages by partition with a reduce that copies the
 * partition's array for every message (`[...current, message]`, producer/groupMessagesPerPartition.js):
 * quadratic in the records per partition. SerialSender merges waiting requests into produce calls
 * of up to 2,000 records, where that copying cost several times what it costs at 500 a call (the
 * README, Performance, has the figures). The replacement groups in one pass, with the same result.
 *
 * kafkajs's sendMessages keeps the function it required at load, so this must run before kafkajs
 * is loaded: first thing in main.ts, like tuneHeapGrowth. That is why it lives here and not in
 * @app/kafka-admin, whose entry loads kafkajs. If kafkajs was loaded already, or its module moved,
 * nothing is replaced (linearGroupingInstalled() says so; ActivityPublisher warns).
 */

interface GroupArgs {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly unknown[];
  partitioner: (args: { topic: string; partitionMetadata: unknown; message: unknown }) => number;
}
type Group = (args: GroupArgs) => Record<number, unknown[]>;

const GROUPING = 'kafkajs/src/producer/groupMessagesPerPartition';
const SEND_MESSAGES = 'kafkajs/src/producer/sendMessages';

let installed = false;

/** One pass over the messages; the same object kafkajs's reduce builds. */
export const groupLinearly: Group = ({ topic, partitionMetadata, messages, partitioner }) => {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const group = result[partition];
    if (group === undefined) result[partition] = [message];
    else group.push(message);
  }
  return result;
};

/** Whether a sample groups the same way with both functions. */
function sameAsStock(stock: Group): boolean {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId }));
  const messages = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, partition: (i * 7) % 3 }));
  const args: GroupArgs = {
    topic: 't',
    partitionMetadata,
    messages,
    partitioner: ({ message }) => (message as { partition: number }).partition,
  };
  return JSON.stringify(stock(args)) === JSON.stringify(groupLinearly(args));
}

export function installLinearPartitionGrouping(): boolean {
  if (installed) return true;
  try {
    const grouping = require.resolve(GROUPING);
    if (require.cache[require.resolve(SEND_MESSAGES)]) return false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- must precede kafkajs's own
    const stock = require(grouping) as Group;
    const cached = require.cache[grouping];
    if (!cached || !sameAsStock(stock)) return false;
    cached.exports = groupLinearly;
    installed = true;
    return true;
  } catch {
    return false;
  }
}

export const linearGroupingInstalled = (): boolean => installed;
