import type { ActivityEvent } from '../activity-event.dto';
import { parseJsonObject } from '../dlq-envelope';
import { ErrorCode } from '../error-codes';
import { JSON_CONTENT_TYPE } from '../kafka-record';

export type DecodeOutcome =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; code: ErrorCode.MALFORMED_MESSAGE; message: string };

/**
 * How an event becomes a Kafka record value and back (KAFKA_VALUE_FORMAT). Decoding only turns
 * bytes into a plain object; the ActivityEventValidator judges it afterwards, whatever the format.
 * An abstract class so that it can be a Nest injection token.
 */
export abstract class ValueCodec {
  abstract readonly contentType: string;
  /** Registers what the format needs before the first encode (the Avro schema). */
  prepare(): Promise<unknown> {
    return Promise.resolve();
  }
  /** `json` is the event's JSON when already serialized (the validator returns it). */
  abstract encode(event: ActivityEvent, json?: string): Buffer | string;
  /**
   * Never fails for bad bytes (MALFORMED_MESSAGE); rejects only when a dependency (the schema
   * registry) failed. Synchronous where nothing is looked up, so JSON costs no extra tick.
   */
  abstract decode(value: Buffer | null): DecodeOutcome | Promise<DecodeOutcome>;
}

export const malformed = (message: string): DecodeOutcome => ({
  ok: false,
  code: ErrorCode.MALFORMED_MESSAGE,
  message,
});

/** The local-demo format (spec): the event as stringified JSON. */
export class JsonCodec extends ValueCodec {
  readonly contentType = JSON_CONTENT_TYPE;

  encode(event: ActivityEvent, json?: string): string {
    return json ?? JSON.stringify(event);
  }

  decode(value: Buffer | null): DecodeOutcome {
    const parsed = parseJsonObject(value);
    return parsed
      ? { ok: true, value: parsed }
      : malformed('the record value is not a JSON object');
  }
}
