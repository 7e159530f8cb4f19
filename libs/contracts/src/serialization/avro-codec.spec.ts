import { Type, type Schema } from 'avsc';
import { ErrorCode } from '../error-codes';
import { ACTIVITY_EVENT_AVRO_SCHEMA, AVRO_CONTENT_TYPE } from './activity-event.avro';
import { AvroCodec } from './avro-codec';
import {
  SchemaRegistry,
  SchemaRegistryUnavailableError,
  StaticSchemaRegistry,
} from './schema-registry';
import { JsonCodec } from './value-codec';

const event = {
  eventId: 'evt_01HZZZZZZZZZZZZZZZZZZZZZZZ',
  userId: 'user123',
  activityType: 'login',
  timestamp: '2024-01-12T10:30:00.000Z',
  metadata: { ipAddress: '192.168.1.1', nested: { n: 1, ok: true }, tags: ['a'] },
  version: '1.0.0',
};

const V1 = JSON.stringify(ACTIVITY_EVENT_AVRO_SCHEMA);
/** v1.1 of the schema: one optional field added, as a compatible evolution would. */
const V1_1 = {
  ...ACTIVITY_EVENT_AVRO_SCHEMA,
  fields: [
    ...ACTIVITY_EVENT_AVRO_SCHEMA.fields,
    { name: 'channel', type: ['null', 'string'], default: null },
  ],
} as Schema;

async function writerWithId(id: number): Promise<AvroCodec> {
  const codec = new AvroCodec(new StaticSchemaRegistry(new Map([[id, V1]])), 't-value');
  await codec.prepare();
  return codec;
}

describe('the Avro value codec (Confluent wire format)', () => {
  it('writes magic byte 0, the schema id big-endian, then Avro, and reads the event back', async () => {
    const codec = await writerWithId(258);
    const bytes = codec.encode(event);
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(258);
    expect(bytes.length).toBeLessThan(Buffer.byteLength(JSON.stringify(event)));
    expect(codec.contentType).toBe(AVRO_CONTENT_TYPE);
    await expect(codec.decode(bytes)).resolves.toEqual({ ok: true, value: event });
  });

  it('reads records of the v1 writer schema into a reader schema with an added optional field', async () => {
    const v1Bytes = (await writerWithId(1)).encode(event);
    const registry = new StaticSchemaRegistry(new Map([[1, V1]]));
    const reader = new AvroCodec(registry, 't-value', V1_1);
    // The added field takes its default (null), which reads as absent, like an omitted JSON key.
    await expect(reader.decode(v1Bytes)).resolves.toEqual({ ok: true, value: event });
  });

  it('reads records of a newer writer schema (v1.1, one more field) into the current v1 schema', async () => {
    const registry = new StaticSchemaRegistry(new Map([[7, JSON.stringify(V1_1)]]));
    const body = Type.forSchema(V1_1).toBuffer({
      ...event,
      metadata: JSON.stringify(event.metadata),
      channel: 'web',
    });
    const header = Buffer.from([0, 0, 0, 0, 7]);
    const reader = new AvroCodec(registry, 't-value');
    await expect(reader.decode(Buffer.concat([header, body]))).resolves.toEqual({
      ok: true,
      value: event,
    });
  });

  it('still decodes JSON records, so a topic can switch from JSON to Avro', async () => {
    const codec = await writerWithId(1);
    const json = Buffer.from(JSON.stringify(event));
    await expect(codec.decode(json)).resolves.toEqual({ ok: true, value: event });
  });

  it.each([
    ['a wrong magic byte', Buffer.from([1, 0, 0, 0, 1, 2, 3])],
    ['a header cut short', Buffer.from([0, 0, 0])],
    ['an empty value', Buffer.alloc(0)],
  ])('rejects %s as MALFORMED_MESSAGE', async (_name, bytes) => {
    const codec = await writerWithId(1);
    await expect(codec.decode(bytes)).resolves.toMatchObject({
      ok: false,
      code: ErrorCode.MALFORMED_MESSAGE,
    });
  });

  it('rejects truncated Avro, trailing bytes and unknown schema ids as MALFORMED_MESSAGE', async () => {
    const codec = await writerWithId(1);
    const bytes = codec.encode(event);
    const unknownId = Buffer.from(bytes);
    unknownId.writeUInt32BE(99, 1);
    const outcomes = await Promise.all(
      [
        bytes.subarray(0, bytes.length - 3),
        Buffer.concat([bytes, Buffer.from([7])]),
        unknownId,
      ].map((b) => codec.decode(b)),
    );
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual([
      ErrorCode.MALFORMED_MESSAGE,
      ErrorCode.MALFORMED_MESSAGE,
      ErrorCode.MALFORMED_MESSAGE,
    ]);
    expect(outcomes[2].ok ? '' : outcomes[2].message).toContain('schema id 99');
  });

  it('rejects a metadata field that is not the text of a JSON object', async () => {
    const codec = await writerWithId(1);
    const bytes = codec.encode({ ...event, metadata: {} });
    // Re-encode with metadata "[1]" by hand: same header, same schema.
    const body = Type.forSchema(ACTIVITY_EVENT_AVRO_SCHEMA).toBuffer({ ...event, metadata: '[1]' });
    const forged = Buffer.concat([bytes.subarray(0, 5), body]);
    const outcome = await codec.decode(forged);
    expect(outcome.ok ? '' : outcome.message).toMatch(/metadata is not the text of a JSON object/);
  });

  it('lets a registry outage reach the caller instead of calling good bytes malformed', async () => {
    const down: SchemaRegistry = {
      register: () => Promise.resolve(1),
      schemaById: () => Promise.reject(new SchemaRegistryUnavailableError('connection refused')),
    };
    const codec = new AvroCodec(down, 't-value');
    await codec.prepare();
    await expect(codec.decode(codec.encode(event))).rejects.toBeInstanceOf(
      SchemaRegistryUnavailableError,
    );
  });

  it('refuses to encode before the schema id is known', () => {
    const codec = new AvroCodec(new StaticSchemaRegistry(new Map([[1, V1]])), 't-value');
    expect(() => codec.encode(event)).toThrow(/prepare/);
  });
});

describe('the JSON value codec', () => {
  it('writes the event as JSON (the validator output when given) and reads it back', () => {
    const codec = new JsonCodec();
    expect(codec.encode(event)).toBe(JSON.stringify(event));
    expect(codec.encode(event, '{"given":1}')).toBe('{"given":1}');
    expect(codec.decode(Buffer.from(JSON.stringify(event)))).toEqual({ ok: true, value: event });
  });

  it('rejects bytes that are not a JSON object as MALFORMED_MESSAGE', () => {
    const codec = new JsonCodec();
    for (const bytes of [Buffer.from('[1]'), Buffer.from('not json'), Buffer.alloc(0), null]) {
      expect(codec.decode(bytes)).toEqual({
        ok: false,
        code: ErrorCode.MALFORMED_MESSAGE,
        message: 'the record value is not a JSON object',
      });
    }
  });
});
