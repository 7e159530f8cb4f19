/**
 * kafkajs builds each record of a produce request (v3 to v7, the versions Kafka 4 speaks) as
 * `Record({ ...message, offsetDelta, timestampDelta })`: an object spread per record, then an
 * array of `{ key, value }` objects for its headers and an Encoder of its own for each header,
 * copied into the record's Encoder. The producer-api sends six headers per event, so that is
 * eight objects and seven buffers per event, and the two functions were the largest kafkajs
 * entries in its batch profile (README, Performance, "Lean kafkajs encoder").
 *
 * installLeanProduceRequest() wraps kafkajs's Produce request definition (`protocol`, which every
 * broker connection looks up per request) so that versions 3 to 7 encode each record in one pass
 * into one Encoder sized up front. Everything else is kafkajs's own: its RecordBatch (CRC,
 * compression), its Encoder, its response parsers, the version it negotiated. A record it does not
 * expect (array or non-string header values, keys that are neither strings nor buffers) is left
 * to kafkajs's Record. Before installing it encodes sample requests both ways and keeps kafkajs's
 * own if one byte differs; the spec compares both over many records.
 */

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs exports no protocol types. */

type Headers = Record<string, unknown>;

interface Message {
  key?: unknown;
  value?: unknown;
  headers?: Headers | null;
  timestamp?: number | string;
}

interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: Message[];
}

interface RequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: PartitionData[] }[];
}

interface EncoderInstance {
  offset: number;
  readonly buffer: Buffer;
  ensureAvailable(length: number): void;
  writeInt8(value: number): EncoderInstance;
  writeInt16(value: number): EncoderInstance;
  writeInt32(value: number): EncoderInstance;
  writeString(value: string | null): EncoderInstance;
  writeArray(value: unknown[]): EncoderInstance;
  writeVarInt(value: number): EncoderInstance;
  writeVarLong(value: unknown): EncoderInstance;
  writeVarIntString(value: string): EncoderInstance;
  writeVarIntBytes(value: unknown): EncoderInstance;
  writeEncoder(value: EncoderInstance): EncoderInstance;
  size(): number;
}

interface EncoderClass {
  new (): EncoderInstance;
  sizeOfVarInt(value: number): number;
  sizeOfVarLong(value: unknown): number;
  sizeOfVarIntBytes(value: unknown): number;
}

type BuiltRequest = { request: { apiVersion: number; encode(): Promise<EncoderInstance> } };
type VersionBuilder = (args: RequestArgs) => BuiltRequest & Record<string, unknown>;
interface ProduceDefinition {
  versions: string[];
  protocol: (query: { version: number }) => VersionBuilder;
}

interface Kafkajs {
  Encoder: EncoderClass;
  Long: { fromInt(value: number): unknown };
  Produce: ProduceDefinition;
  apiKey: number;
  Compression: { None: number; GZIP: number };
  Record: (record: Message & { offsetDelta: number; timestampDelta: number }) => EncoderInstance;
  RecordBatch: (batch: Record<string, unknown>) => Promise<EncoderInstance>;
}

const load = (): Kafkajs => {
  const base = 'kafkajs/src/protocol';
  return {
    Encoder: require(`${base}/encoder`) as EncoderClass,
    Long: require('kafkajs/src/utils/long') as Kafkajs['Long'],
    Produce: require(`${base}/requests/produce`) as ProduceDefinition,
    apiKey: (require(`${base}/requests/apiKeys`) as { Produce: number }).Produce,
    Compression: (require(`${base}/message/compression`) as { Types: Kafkajs['Compression'] })
      .Types,
    Record: require(`${base}/recordBatch/record/v0`) as Kafkajs['Record'],
    RecordBatch: (require(`${base}/recordBatch/v0`) as Pick<Kafkajs, 'RecordBatch'>).RecordBatch,
  };
};

/** Versions whose request is kafkajs's v3 request under another number. */
const LEAN_VERSIONS = new Set([3, 4, 5, 6, 7]);

let stockProtocol: ProduceDefinition['protocol'] | undefined;

const isBytes = (value: unknown): value is string | Buffer =>
  typeof value === 'string' || Buffer.isBuffer(value);

/** One record, as kafkajs's record v0 writes it, in one Encoder; null where kafkajs must do it. */
function leanRecord(
  k: Kafkajs,
  message: Message,
  offsetDelta: number,
  timestampDelta: number,
): EncoderInstance | null {
  const { key, value } = message;
  const headers = message.headers === undefined ? {} : message.headers;
  if (key != null && !isBytes(key)) return null;
  if (value != null && !isBytes(value)) return null;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return null;
  const { Encoder } = k;
  const names = Object.keys(headers);
  let headersSize = Encoder.sizeOfVarInt(names.length);
  for (const name of names) {
    const headerValue = headers[name];
    if (!isBytes(headerValue)) return null;
    const nameBytes = Buffer.byteLength(name);
    const valueBytes = Buffer.byteLength(headerValue);
    headersSize +=
      Encoder.sizeOfVarInt(nameBytes) + nameBytes + Encoder.sizeOfVarInt(valueBytes) + valueBytes;
  }
  const bodySize =
    1 + // attributes
    Encoder.sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarIntBytes(key) +
    Encoder.sizeOfVarIntBytes(value) +
    headersSize;
  const encoder = new Encoder();
  encoder.ensureAvailable(Encoder.sizeOfVarInt(bodySize) + bodySize);
  encoder
    .writeVarInt(bodySize)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarInt(names.length);
  for (const name of names) encoder.writeVarIntString(name).writeVarIntBytes(headers[name]);
  return encoder;
}

/** kafkajs's produce v3 request with leanRecord; the same fields, defaults and order. */
function leanRequest(k: Kafkajs, args: RequestArgs) {
  const {
    acks,
    timeout,
    transactionalId = null,
    producerId = k.Long.fromInt(-1),
    producerEpoch = 0,
    compression = k.Compression.None,
    topicData,
  } = args;
  const encodePartition = async ({ partition, messages, firstSequence }: PartitionData) => {
    const dateNow = Date.now();
    // As kafkajs: the messages' own timestamps, sorted as it sorts them, else now.
    const stamps = messages
      .map((m) => m.timestamp)
      .filter((t) => t != null)
      .sort();
    const timestamps = stamps.length === 0 ? [dateNow] : stamps;
    const firstTimestamp = timestamps[0];
    const maxTimestamp = timestamps[timestamps.length - 1];
    const records = messages.map((message, i) => {
      const timestampDelta = Number(message.timestamp || dateNow) - Number(firstTimestamp);
      return (
        leanRecord(k, message, i, timestampDelta) ??
        k.Record({ ...message, offsetDelta: i, timestampDelta })
      );
    });
    const batch = await k.RecordBatch({
      compression,
      records,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      firstSequence,
      transactional: !!transactionalId,
      lastOffsetDelta: records.length - 1,
    });
    return new k.Encoder().writeInt32(partition).writeInt32(batch.size()).writeEncoder(batch);
  };
  return {
    apiKey: k.apiKey,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async () => {
      const topics: EncoderInstance[] = [];
      for (const { topic, partitions } of topicData) {
        const encoded: EncoderInstance[] = [];
        for (const data of partitions) encoded.push(await encodePartition(data));
        topics.push(new k.Encoder().writeString(topic).writeArray(encoded));
      }
      return new k.Encoder()
        .writeString(transactionalId)
        .writeInt16(acks)
        .writeInt32(timeout)
        .writeArray(topics);
    },
  };
}

/** Requests of every shape the check covers: headers, none, multi-byte, bytes, null key. */
function sampleRequests(k: Kafkajs): RequestArgs[] {
  const messages: Message[] = [
    {
      key: 'user-1',
      value: JSON.stringify({ activityType: 'login', note: 'ß'.repeat(300) }),
      headers: { source: 'api', 'x-event-id': 'evt_01JABCDEF', long: 'v'.repeat(600) },
      timestamp: 1_700_000_000_500,
    },
    { key: null, value: Buffer.from([0, 1, 2, 255]), timestamp: 1_700_000_000_000 },
    {
      key: 'é',
      value: '',
      headers: { bytes: Buffer.from('xyz'), empty: '' },
      timestamp: '1700000000900',
    },
    { key: 'user-2', value: null, headers: { multi: ['a', 'b'] }, timestamp: 1_700_000_000_100 },
  ];
  return [k.Compression.None, k.Compression.GZIP].flatMap((compression) => [
    {
      acks: -1,
      timeout: 5000,
      compression,
      producerId: k.Long.fromInt(42),
      producerEpoch: 3,
      topicData: [
        {
          topic: 'sample',
          partitions: [
            { partition: 0, firstSequence: 7, messages },
            { partition: 2, firstSequence: 0, messages: messages.slice(0, 1) },
          ],
        },
      ],
    },
    {
      acks: 1,
      timeout: 100,
      compression,
      transactionalId: 'tx',
      topicData: [{ topic: 'other', partitions: [{ partition: 1, messages: messages.slice(1) }] }],
    },
  ]);
}

async function encodedWith(protocol: ProduceDefinition['protocol'], args: RequestArgs[]) {
  const out: Buffer[] = [];
  for (const version of LEAN_VERSIONS) {
    for (const request of args) {
      const built = protocol({ version })(request).request;
      out.push(Buffer.from((await built.encode()).buffer), Buffer.from([built.apiVersion]));
    }
  }
  return Buffer.concat(out);
}

/**
 * Wraps kafkajs's Produce definition so that versions 3 to 7 encode records in one pass, once per
 * process, for every kafkajs client in it. Resolves whether it is in place; false (kafkajs's own
 * kept) when kafkajs's protocol modules are not where or what it expects, or encode differently.
 */
export async function installLeanProduceRequest(): Promise<boolean> {
  if (stockProtocol) return true;
  let k: Kafkajs;
  try {
    k = load();
  } catch {
    return false;
  }
  const stock = k.Produce.protocol;
  if (typeof stock !== 'function' || typeof k.Record !== 'function') return false;
  const lean: ProduceDefinition['protocol'] = ({ version }) => {
    const build = stock({ version });
    if (!LEAN_VERSIONS.has(version)) return build;
    return (args: RequestArgs) => {
      // kafkajs's own for the response parser and the version number it stamps.
      const built = build(args);
      return {
        ...built,
        request: Object.assign(leanRequest(k, args), { apiVersion: built.request.apiVersion }),
      };
    };
  };
  const samples = sampleRequests(k);
  try {
    const expected = await encodedWith(stock, samples);
    const actual = await encodedWith(lean, samples);
    if (!actual.equals(expected)) return false;
  } catch {
    return false;
  }
  if (stockProtocol) return true; // installed by a concurrent call meanwhile
  stockProtocol = stock;
  k.Produce.protocol = lean;
  return true;
}

/** Puts kafkajs's own Produce definition back (tests compare both). */
export function uninstallLeanProduceRequest(): void {
  if (!stockProtocol) return;
  load().Produce.protocol = stockProtocol;
  stockProtocol = undefined;
}

/** Whether installLeanProduceRequest() is in effect. */
export const leanProduceRequestInstalled = (): boolean => stockProtocol !== undefined;
