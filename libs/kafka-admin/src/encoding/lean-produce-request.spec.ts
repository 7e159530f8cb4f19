import { CompressionTypes } from 'kafkajs';
import { installLeanEncoder, uninstallLeanEncoder } from './lean-encoder';
import {
  installLeanProduceRequest,
  leanProduceRequestInstalled,
  uninstallLeanProduceRequest,
} from './lean-produce-request';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment,
   @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   kafkajs's protocol internals have no types; this spec drives them directly. */
const Long = require('kafkajs/src/utils/long');
const Produce = require('kafkajs/src/protocol/requests/produce');

/** Every record shape: empty and multi-byte keys, null keys and values, bytes, many headers. */
const messages = Array.from({ length: 80 }, (_, i) => ({
  key: i % 11 === 0 ? null : i % 7 === 0 ? '' : `user-${'é'.repeat(i % 5)}-${i}`,
  value:
    i % 13 === 0
      ? null
      : i % 9 === 0
        ? Buffer.from(Array.from({ length: i }, (_, b) => (b * 31) % 256))
        : JSON.stringify({ i, note: 'xß'.repeat((i * 37) % 900) }),
  headers:
    i % 17 === 0
      ? undefined
      : Object.fromEntries(
          Array.from({ length: i % 8 }, (_, h) => [
            `h-${h}${'ü'.repeat(h % 2)}`,
            h === 3 ? Buffer.from('bytes') : 'v'.repeat((h * i) % 200),
          ]),
        ),
  // Some without a timestamp: the request stamps them with one "now" for all.
  ...(i % 4 === 0 ? {} : { timestamp: 1_700_000_000_000 + i * 1_000_003 }),
}));

/** Records kafkajs's Record takes and the lean path leaves to it: arrays as header values. */
const odd = [
  { key: 'k', value: 'v', headers: { multi: ['a', 'b'], one: 'c' }, timestamp: 1_700_000_000_000 },
];

function requests() {
  return [CompressionTypes.None, CompressionTypes.GZIP].flatMap((compression) => [
    {
      acks: -1,
      timeout: 5000,
      compression,
      producerId: Long.fromInt(42),
      producerEpoch: 2,
      topicData: [
        {
          topic: 'user-activity-logs',
          partitions: [
            { partition: 0, firstSequence: 3, messages: messages.slice(0, 50) },
            { partition: 5, firstSequence: 0, messages: messages.slice(50) },
          ],
        },
        { topic: 'user-activity-analytics', partitions: [{ partition: 1, messages: odd }] },
      ],
    },
    {
      acks: 1,
      timeout: 30_000,
      compression,
      transactionalId: 'eyego-tx',
      producerId: Long.fromInt(7),
      topicData: [{ topic: 't', partitions: [{ partition: 2, firstSequence: 9, messages }] }],
    },
  ]);
}

type Protocol = (query: { version: number }) => (args: unknown) => {
  request: { apiVersion: number; encode(): Promise<{ buffer: Buffer }> };
  response: unknown;
};

/** Each request at each version, encoded with `protocol`; Date.now() held still meanwhile. */
async function encodeAll(protocol: Protocol) {
  const now = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_123_456);
  try {
    const out: { version: number; apiVersion: number; bytes: Buffer; response: unknown }[] = [];
    for (const version of [3, 4, 5, 6, 7]) {
      for (const args of requests()) {
        const built = protocol({ version })(args);
        const bytes = Buffer.from((await built.request.encode()).buffer);
        out.push({
          version,
          apiVersion: built.request.apiVersion,
          bytes,
          response: built.response,
        });
      }
    }
    return out;
  } finally {
    now.mockRestore();
  }
}

describe('installLeanProduceRequest', () => {
  afterEach(() => {
    uninstallLeanProduceRequest();
    uninstallLeanEncoder();
  });

  it.each([
    ['kafkajs encoder', false],
    ['lean encoder', true],
  ])(
    'writes the same produce requests as kafkajs, v3 to v7, gzip or not (%s)',
    async (_name, leanEncoder) => {
      if (leanEncoder) expect(installLeanEncoder()).toBe(true);
      const stock = Produce.protocol as Protocol;
      const expected = await encodeAll(stock);
      expect(await installLeanProduceRequest()).toBe(true);
      expect(Produce.protocol).not.toBe(stock);
      const actual = await encodeAll(Produce.protocol as Protocol);
      expect(actual.map((r) => r.apiVersion)).toEqual(expected.map((r) => r.version));
      expect(actual.map((r) => r.response)).toEqual(expected.map((r) => r.response));
      actual.forEach((r, i) => expect(r.bytes.equals(expected[i].bytes)).toBe(true));
      // Not one constant: the four requests differ (a version changes only the request header).
      expect(new Set(expected.map((r) => r.bytes.toString('hex'))).size).toBe(4);
    },
  );

  it('leaves older versions to kafkajs', async () => {
    const stock = Produce.protocol as Protocol;
    await installLeanProduceRequest();
    expect((Produce.protocol as Protocol)({ version: 2 })).toBe(stock({ version: 2 }));
  });

  it('is installed once and restores kafkajs on uninstall', async () => {
    const stock = Produce.protocol;
    expect(await installLeanProduceRequest()).toBe(true);
    const lean = Produce.protocol;
    expect(await installLeanProduceRequest()).toBe(true);
    expect(Produce.protocol).toBe(lean);
    expect(leanProduceRequestInstalled()).toBe(true);
    uninstallLeanProduceRequest();
    expect(leanProduceRequestInstalled()).toBe(false);
    expect(Produce.protocol).toBe(stock);
  });
});
