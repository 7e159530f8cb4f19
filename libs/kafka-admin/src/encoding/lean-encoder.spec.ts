import { CompressionTypes } from 'kafkajs';
import { installLeanEncoder, leanEncoderInstalled, uninstallLeanEncoder } from './lean-encoder';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment,
   @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call,
   @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   kafkajs's protocol internals have no types; this spec drives them directly. */
const Encoder = require('kafkajs/src/protocol/encoder');
const Long = require('kafkajs/src/utils/long');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const ProduceV3 = require('kafkajs/src/protocol/requests/produce/v3/request');

const VARINTS = [
  0,
  1,
  -1,
  63,
  -64,
  64,
  127,
  128,
  255,
  300,
  -300,
  2 ** 14,
  2 ** 21 - 1,
  2 ** 21,
  2 ** 28,
  2 ** 30 - 1,
  -(2 ** 30) + 1,
  2 ** 30,
  -(2 ** 30),
  2 ** 31 - 1,
  -(2 ** 31),
];
const VARLONGS = [
  ...VARINTS,
  2 ** 40,
  -(2 ** 40),
  Number.MAX_SAFE_INTEGER,
  Long.fromString('9223372036854775807'),
  Long.fromString('-9223372036854775808'),
  Long.fromInt(5),
];

/** Deterministic records of every size class: empty, short, multi-byte, longer than 512 bytes. */
const records = Array.from({ length: 60 }, (_, i) => ({
  offsetDelta: i * 997,
  timestampDelta: i % 3 === 0 ? 0 : i * 1_234_567,
  key: i % 7 === 0 ? '' : `user-${'é'.repeat(i % 5)}-${i}`,
  value: JSON.stringify({ i, note: 'xß'.repeat((i * 37) % 900) }),
  headers: Object.fromEntries(
    Array.from({ length: i % 8 }, (_, h) => [`h-${h}`, 'v'.repeat((h * i) % 200)]),
  ),
}));

/** As the producer sends them, with timestamps (the request stamps Date.now() otherwise). */
const messages = records.map(({ key, value, headers }, i) => ({
  key,
  value,
  headers,
  timestamp: 1_700_000_000_000 + i * 1_000_003,
}));

type Encoded = { varints: Buffer[]; varlongs: Buffer[]; records: Buffer[]; batches: Buffer[] };

const copy = (encoder: { buffer: Buffer }): Buffer => Buffer.from(encoder.buffer);

/** Everything below encoded with whatever Encoder methods are in place. */
async function encodeAll(): Promise<Encoded> {
  const batches: Buffer[] = [];
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
    const batch = await RecordBatch({
      compression,
      records: records.map((r) => Record(r)),
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_000,
      producerId: Long.fromInt(42),
      firstSequence: 7,
      lastOffsetDelta: records.length - 1,
    });
    batches.push(copy(batch));
  }
  const request = await ProduceV3({
    acks: -1,
    timeout: 5000,
    compression: CompressionTypes.None,
    topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 3, messages }] }],
  }).encode();
  batches.push(copy(request));
  return {
    varints: VARINTS.map((v) => copy(new Encoder().writeVarInt(v))),
    varlongs: VARLONGS.map((v) => copy(new Encoder().writeVarLong(v))),
    records: records.map((r) => copy(Record(r))),
    batches,
  };
}

describe('installLeanEncoder', () => {
  afterEach(() => uninstallLeanEncoder());

  it('writes the same bytes as kafkajs for varints, varlongs, records, batches and requests', async () => {
    const stock = await encodeAll();
    expect(installLeanEncoder()).toBe(true);
    expect(leanEncoderInstalled()).toBe(true);
    const lean = await encodeAll();
    expect(lean.varints).toEqual(stock.varints);
    expect(lean.varlongs).toEqual(stock.varlongs);
    expect(lean.records).toEqual(stock.records);
    expect(lean.batches).toEqual(stock.batches);
  });

  it('computes varlong sizes as kafkajs does', () => {
    const stock = VARLONGS.map((v) => Encoder.sizeOfVarLong(v));
    installLeanEncoder();
    expect(VARLONGS.map((v) => Encoder.sizeOfVarLong(v))).toEqual(stock);
  });

  it('answers only the bytes written, with room to grow past the first allocation', () => {
    installLeanEncoder();
    const encoder = new Encoder();
    for (let i = 0; i < 1000; i++) encoder.writeVarInt(i);
    encoder.writeVarIntString('é'.repeat(3000));
    expect(encoder.buffer.length).toBe(encoder.offset);
    const text = encoder.buffer.subarray(encoder.offset - 6000).toString('utf8');
    expect(text).toBe('é'.repeat(3000));
  });

  it('is installed once and restores kafkajs on uninstall', () => {
    const stockMethod = Encoder.prototype.writeUVarInt;
    expect(installLeanEncoder()).toBe(true);
    const leanMethod = Encoder.prototype.writeUVarInt;
    expect(leanMethod).not.toBe(stockMethod);
    expect(installLeanEncoder()).toBe(true);
    expect(Encoder.prototype.writeUVarInt).toBe(leanMethod);
    uninstallLeanEncoder();
    expect(leanEncoderInstalled()).toBe(false);
    expect(Encoder.prototype.writeUVarInt).toBe(stockMethod);
  });

  it('keeps kafkajs as it is when its encoder does not behave as expected', () => {
    const original = Encoder.prototype.writeVarIntBytes;
    // A kafkajs whose records differ from the sample's expectation once lean methods are in.
    Encoder.prototype.writeVarIntBytes = function (
      this: { writeUVarInt: (v: number) => unknown },
      ...args: unknown[]
    ) {
      if (Encoder.nextPowerOfTwo(511) === 0) this.writeUVarInt(0);
      return original.apply(this, args);
    };
    try {
      const stockMethod = Encoder.prototype.writeUVarInt;
      expect(installLeanEncoder()).toBe(false);
      expect(leanEncoderInstalled()).toBe(false);
      expect(Encoder.prototype.writeUVarInt).toBe(stockMethod);
      expect(Encoder.nextPowerOfTwo(511)).toBe(512);
    } finally {
      Encoder.prototype.writeVarIntBytes = original;
    }
  });
});
