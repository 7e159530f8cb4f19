/**
 * kafkajs builds every produce request with its `Encoder` class, and three of its habits cost
 * the producer-api most of its kafkajs time (profiles and micro-benchmark in the README,
 * Performance, "Lean kafkajs encoder"): every Encoder starts with a zero-filled 512-byte
 * `Buffer.alloc` (a fresh ArrayBuffer; a record with six headers makes seven), every varint is
 * first written to an array and copied through `Buffer.from`, and every varlong (the timestamp
 * delta, 0 almost always) goes through 64-bit `Long` objects.
 *
 * installLeanEncoder() replaces those methods on the class itself, so it holds for every kafkajs
 * client of the process (Nest's ClientKafka included) whenever it runs, before or after they were
 * created: buffers come from Node's pool (`allocUnsafe`: only the bytes written are ever read, as
 * `buffer` slices to the offset), varints are written in place, and varlongs within ±2^30 use
 * the 32-bit path (the same bytes: zig-zag of a small value does not depend on the width). The
 * wire format is unchanged: it first encodes a sample record both ways and installs nothing if
 * one byte differs (a kafkajs release that changed the class), and the spec compares both over
 * many values.
 */

/** The part of kafkajs's Encoder (kafkajs/src/protocol/encoder.js, 2.2.x) replaced here. */
interface EncoderInstance {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  ensureAvailable: (this: EncoderInstance, length: number) => void;
  writeUVarInt: (this: EncoderInstance, value: number) => EncoderInstance;
  writeVarInt: (this: EncoderInstance, value: number) => EncoderInstance;
  writeVarLong: (this: EncoderInstance, value: unknown) => EncoderInstance;
}

interface EncoderClass {
  new (initialSize?: number): EncoderInstance;
  prototype: EncoderInstance;
  nextPowerOfTwo: (this: EncoderClass, value: number) => number;
  sizeOfVarLong: (this: EncoderClass, value: unknown) => number;
  sizeOfVarInt: (this: EncoderClass, value: number) => number;
}

type RecordEncoder = (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: string;
  value: string;
  headers: Record<string, string>;
}) => EncoderInstance;

/** The replaced members, kept to compare against (and to restore). */
interface Originals {
  nextPowerOfTwo: EncoderClass['nextPowerOfTwo'];
  sizeOfVarLong: EncoderClass['sizeOfVarLong'];
  ensureAvailable: EncoderInstance['ensureAvailable'];
  writeUVarInt: EncoderInstance['writeUVarInt'];
  writeVarLong: EncoderInstance['writeVarLong'];
}

/** First allocation of an encoder: a header (~40 bytes) fits, a record grows once. */
const FIRST_ALLOCATION = 128;
/** Varlongs in this range take the 32-bit path: same zig-zag, same varint bytes. */
const SMALL = 2 ** 30;

let originals: Originals | undefined;

const load = (): { Encoder: EncoderClass; Record: RecordEncoder } => ({
  // kafkajs exports no encoder; these internals are stable across 2.x (checked at install).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  Encoder: require('kafkajs/src/protocol/encoder') as EncoderClass,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  Record: require('kafkajs/src/protocol/recordBatch/record/v0') as RecordEncoder,
});

const isSmall = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > -SMALL && value < SMALL;

const lean = (Encoder: EncoderClass, stock: Originals) => ({
  // Only the constructor still calls it (ensureAvailable below does not): it allocates nothing.
  nextPowerOfTwo: () => 0,
  sizeOfVarLong(value: unknown): number {
    return isSmall(value) ? Encoder.sizeOfVarInt(value) : stock.sizeOfVarLong.call(Encoder, value);
  },
  ensureAvailable(this: EncoderInstance, length: number): void {
    const needed = this.offset + length;
    if (needed <= this.buf.length) return;
    const next = Buffer.allocUnsafe(
      Math.max(FIRST_ALLOCATION, stock.nextPowerOfTwo.call(Encoder, needed)),
    );
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  },
  writeUVarInt(this: EncoderInstance, value: number): EncoderInstance {
    this.ensureAvailable(5);
    let rest = value;
    while ((rest & 0xffffff80) !== 0) {
      this.buf[this.offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[this.offset++] = rest & 0x7f;
    return this;
  },
  writeVarLong(this: EncoderInstance, value: unknown): EncoderInstance {
    return isSmall(value) ? this.writeVarInt(value) : stock.writeVarLong.call(this, value);
  },
});

/** A record like the producer-api's: multi-byte varints, headers, a non-ASCII value. */
const SAMPLE = {
  offsetDelta: 300,
  timestampDelta: 70_000,
  key: 'user-éü-1',
  value: JSON.stringify({ activityType: 'login', metadata: { note: 'ß'.repeat(200) } }),
  headers: { 'x-source': 'api', 'x-event-id': '01JABCDEF', 'x-long': 'v'.repeat(300) },
};

const encodeSample = (Record: RecordEncoder): Buffer => {
  const encoded = Record(SAMPLE).buffer;
  return Buffer.from(encoded); // a copy: pooled slices may be reused
};

function apply(Encoder: EncoderClass, members: Partial<Originals>): void {
  const { nextPowerOfTwo, sizeOfVarLong, ...methods } = members;
  if (nextPowerOfTwo) Encoder.nextPowerOfTwo = nextPowerOfTwo;
  if (sizeOfVarLong) Encoder.sizeOfVarLong = sizeOfVarLong;
  Object.assign(Encoder.prototype, methods);
}

/**
 * Installs the lean methods on kafkajs's Encoder, once per process. Answers whether they are in
 * place; false (stock kafkajs kept) when kafkajs's encoder is not where or what it expects.
 */
export function installLeanEncoder(): boolean {
  if (originals) return true;
  let Encoder: EncoderClass;
  let Record: RecordEncoder;
  try {
    ({ Encoder, Record } = load());
  } catch {
    return false;
  }
  const proto = Encoder.prototype;
  const stock: Originals = {
    nextPowerOfTwo: Encoder.nextPowerOfTwo,
    sizeOfVarLong: Encoder.sizeOfVarLong,
    ensureAvailable: proto.ensureAvailable,
    writeUVarInt: proto.writeUVarInt,
    writeVarLong: proto.writeVarLong,
  };
  if (Object.values(stock).some((member) => typeof member !== 'function')) return false;
  const expected = encodeSample(Record);
  apply(Encoder, lean(Encoder, stock));
  let same = false;
  try {
    same = encodeSample(Record).equals(expected);
  } catch {
    same = false;
  }
  if (!same) {
    apply(Encoder, stock);
    return false;
  }
  originals = stock;
  return true;
}

/** Puts kafkajs's own methods back (tests compare both). */
export function uninstallLeanEncoder(): void {
  if (!originals) return;
  apply(load().Encoder, originals);
  originals = undefined;
}

/** Whether installLeanEncoder() is in effect. */
export const leanEncoderInstalled = (): boolean => originals !== undefined;
