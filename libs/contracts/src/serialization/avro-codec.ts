import type { Schema, Type } from 'avsc';
import type { ActivityEvent } from '../activity-event.dto';
import { isPlainObject } from '../metadata.rules';
import { ACTIVITY_EVENT_AVRO_SCHEMA, AVRO_CONTENT_TYPE } from './activity-event.avro';
import { SchemaNotFoundError, SchemaRegistry } from './schema-registry';
import { DecodeOutcome, JsonCodec, ValueCodec, malformed } from './value-codec';

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then Avro binary. */
export const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

type Reader = (payload: Buffer) => unknown;

/**
 * Avro values with their schema in a registry (the spec's production format). The producer writes
 * with the current schema's registered id. The consumer reads any writer schema the registry
 * knows into the current (reader) schema, so fields added with defaults evolve safely. JSON
 * records still decode, so a topic can switch format without draining it first.
 */
export class AvroCodec extends ValueCodec {
  readonly contentType = AVRO_CONTENT_TYPE;
  private readonly readerType: Type;
  private readonly readers = new Map<number, Promise<Reader>>();
  private readonly json = new JsonCodec();
  private writerId?: number;

  constructor(
    private readonly registry: SchemaRegistry,
    /** Confluent TopicNameStrategy: `<topic>-value`. */
    private readonly subject: string,
    private readonly readerSchema: Schema = ACTIVITY_EVENT_AVRO_SCHEMA,
  ) {
    super();
    this.readerType = avsc().Type.forSchema(readerSchema);
  }

  /** Registers (or looks up) the current schema; required before encode. */
  override async prepare(): Promise<number> {
    this.writerId = await this.registry.register(this.subject, JSON.stringify(this.readerSchema));
    return this.writerId;
  }

  encode(event: ActivityEvent): Buffer {
    if (this.writerId === undefined) throw new Error('AvroCodec.prepare() was not awaited');
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeUInt32BE(this.writerId, 1);
    const { metadata, ...fields } = event;
    const body = this.readerType.toBuffer({ ...fields, metadata: JSON.stringify(metadata) });
    return Buffer.concat([header, body]);
  }

  async decode(value: Buffer | null): Promise<DecodeOutcome> {
    if (!value || value.length === 0) return malformed('the record value is empty');
    if (value[0] !== MAGIC_BYTE) {
      const json = this.json.decode(value);
      return json.ok ? json : malformed('the record value is neither Avro (magic byte 0) nor JSON');
    }
    if (value.length < HEADER_BYTES) return malformed('the Avro record is shorter than its header');
    const id = value.readUInt32BE(1);
    let read: Reader;
    try {
      read = await this.readerOf(id);
    } catch (error) {
      // A registry outage is not the record's fault: let the caller wait and retry.
      if (!(error instanceof SchemaNotFoundError)) throw error;
      return malformed(`the record's schema id ${id} cannot be read: ${error.message}`);
    }
    try {
      return toEvent(read(value.subarray(HEADER_BYTES)));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return malformed(`the record is not valid Avro for schema id ${id}: ${reason}`);
    }
  }

  /** A reader from writer schema `id` to the current schema; one registry lookup per id. */
  private readerOf(id: number): Promise<Reader> {
    let reader = this.readers.get(id);
    if (!reader) {
      reader = this.registry.schemaById(id).then((text) => {
        try {
          const resolver = this.readerType.createResolver(
            avsc().Type.forSchema(JSON.parse(text) as Schema),
          );
          return (payload: Buffer): unknown => this.readerType.fromBuffer(payload, resolver);
        } catch (error) {
          // Not Avro, or not resolvable into the current schema: no retry will change that.
          const reason = error instanceof Error ? error.message : String(error);
          throw new SchemaNotFoundError(`it is incompatible with the current schema (${reason})`);
        }
      });
      this.readers.set(id, reader);
      void reader.catch(() => this.readers.delete(id));
    }
    return reader;
  }
}

/** The Avro record as the JSON-shaped object the validator reads (metadata parsed back). */
function toEvent(decoded: unknown): DecodeOutcome {
  const record = { ...(decoded as Record<string, unknown>) };
  // An optional Avro field is null where a JSON event would omit the key.
  for (const [key, v] of Object.entries(record)) if (v === null) delete record[key];
  if (typeof record.metadata === 'string') {
    const metadata = parseMetadata(record.metadata);
    if (!metadata) return malformed('the Avro field metadata is not the text of a JSON object');
    record.metadata = metadata;
  }
  return { ok: true, value: record };
}

function parseMetadata(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * avsc is loaded when the first Avro codec is built, not with this module: JSON (the default)
 * never needs it, and loaded it holds about 1 MiB of every app's heap.
 */
function avsc(): typeof import('avsc') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (above)
  return require('avsc') as typeof import('avsc');
}
