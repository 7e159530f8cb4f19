import type { Admin } from 'kafkajs';
import { readGroupLag } from './lag-reader';

const admin = {
  fetchOffsets: async () => [
    {
      topic: 't',
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '-1' },
      ],
    },
  ],
  fetchTopicOffsets: async () => [
    { partition: 2, offset: '9', high: '9', low: '4' },
    { partition: 1, offset: '7', high: '7', low: '5' },
    { partition: 0, offset: '5', high: '5', low: '0' },
  ],
} as unknown as Admin;

describe('readGroupLag', () => {
  it('computes end - committed per partition, and end - log start where the group never committed', async () => {
    expect(await readGroupLag(admin, 'g', ['t'])).toEqual([
      { topic: 't', partition: 0, committedOffset: '2', endOffset: '5', lag: '3' },
      { topic: 't', partition: 1, committedOffset: null, endOffset: '7', lag: '2' },
      { topic: 't', partition: 2, committedOffset: null, endOffset: '9', lag: '5' },
    ]);
  });
});
