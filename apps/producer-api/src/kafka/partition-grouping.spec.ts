import { groupLinearly } from './partition-grouping';

type Group = typeof groupLinearly;
// The stock function, to compare against (kafkajs exports no such module).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stock = require('kafkajs/src/producer/groupMessagesPerPartition') as Group;

describe('grouping a produce call by partition in one pass', () => {
  it('builds what kafkajs builds: the same partitions, each with its messages in order', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (const [count, partitions] of [
      [1, 1],
      [10, 3],
      [500, 3],
      [2000, 6],
      [333, 64],
    ]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
      }));
      const messages = Array.from({ length: count }, (_, i) => ({
        key: `k${i}`,
        partition: next() % partitions,
      }));
      const args = {
        topic: 't',
        partitionMetadata,
        messages,
        partitioner: ({ message }: { message: unknown }) =>
          (message as { partition: number }).partition,
      };
      const ours = groupLinearly(args);
      expect(ours).toEqual(stock(args));
      expect(Object.keys(ours)).toEqual(Object.keys(stock(args)));
      // The records themselves, not copies.
      const first = Object.values(ours)[0][0];
      expect(messages).toContain(first);
    }
  });

  it('answers nothing for a topic without partition metadata, as kafkajs does', () => {
    const args = { topic: 't', partitionMetadata: [], messages: [{}], partitioner: () => 0 };
    expect(groupLinearly(args)).toEqual({});
    expect(stock(args)).toEqual({});
  });
});
