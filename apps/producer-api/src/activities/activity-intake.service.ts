import { createHmac } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  ActivityEventValidator,
  ActivityMetadata,
  CodedError,
  ErrorCode,
  FieldIssue,
  ValidationOutcome,
  ValueCodec,
  newEventId,
  toActivityRecord,
} from '@app/contracts';
import { Metrics, maskIp } from '@app/platform';
import { IpPrivacy, ProducerApiConfig } from '../config/producer-api.config';
import {
  ActivityPublisher,
  BrokerUnavailableError,
  PublisherOverloadedError,
} from '../kafka/activity.publisher';
import {
  applyIdempotencyKey,
  checkBatchBytes,
  duplicateIds,
  invalid,
  readBatchEvents,
  readSentAt,
  withoutSentAt,
} from './batch-request';

export interface AcceptedEvent {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

/** POST /v1/activities/batch?mode=…: atomic (all or none, the default) or partial. */
export const BATCH_MODES = ['atomic', 'partial'] as const;
export type BatchMode = (typeof BATCH_MODES)[number];

export interface RejectedEvent {
  index: number;
  status: 'rejected';
  code: ErrorCode;
  message: string;
  errors: FieldIssue[];
}
export type EventOutcome = (AcceptedEvent & { index: number; status: 'accepted' }) | RejectedEvent;

export interface PartialBatchResult {
  accepted: number;
  rejected: number;
  /** One per event, in request order. */
  results: EventOutcome[];
}

const rejected = (
  index: number,
  code: ErrorCode,
  message: string,
  errors: FieldIssue[],
): RejectedEvent => ({ index, status: 'rejected', code, message, errors });

type Valid = Extract<ValidationOutcome, { ok: true }>;

const SOURCE = 'api';
export const RETRY_AFTER_SECONDS = 5;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The intake use case: validate, build the Kafka records, publish, report coordinates. */
@Injectable()
export class ActivityIntakeService {
  private readonly logger = new Logger(ActivityIntakeService.name);

  constructor(
    private readonly validator: ActivityEventValidator,
    private readonly publisher: ActivityPublisher,
    private readonly config: ProducerApiConfig,
    private readonly metrics: Metrics,
    private readonly codec: ValueCodec,
  ) {}

  ingestOne(
    body: unknown,
    requestId: string,
    idempotencyKey?: string | string[],
  ): Promise<AcceptedEvent> {
    return this.counted(1, async () => {
      const sentAt = readSentAt(body);
      const event = applyIdempotencyKey(withoutSentAt(body), idempotencyKey);
      const outcome = this.validate(event, sentAt);
      if (!outcome.ok) throw new CodedError(outcome.code, outcome.message, outcome.issues);
      const [accepted] = await this.publish([outcome], requestId);
      return accepted;
    });
  }

  ingestBatch(
    body: unknown,
    requestId: string,
    mode?: 'atomic',
  ): Promise<{ results: AcceptedEvent[] }>;
  ingestBatch(body: unknown, requestId: string, mode: 'partial'): Promise<PartialBatchResult>;
  ingestBatch(
    body: unknown,
    requestId: string,
    mode?: BatchMode,
  ): Promise<{ results: AcceptedEvent[] } | PartialBatchResult>;
  ingestBatch(
    body: unknown,
    requestId: string,
    mode: BatchMode = 'atomic',
  ): Promise<{ results: AcceptedEvent[] } | PartialBatchResult> {
    if (mode === 'partial') return this.ingestPartial(body, requestId);
    const events = isPlainObject(body) && Array.isArray(body.events) ? body.events.length : 1;
    return this.counted(events, () => this.ingestAll(body, requestId));
  }

  /** events_produced_total by outcome: accepted, rejected (4xx, by code) or failed (broker). */
  private async counted<T>(events: number, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.metrics.eventsProduced.inc({ outcome: 'accepted' }, events);
      return result;
    } catch (error) {
      if (error instanceof CodedError) {
        const outcome = error.code === ErrorCode.BROKER_UNAVAILABLE ? 'failed' : 'rejected';
        this.metrics.eventsProduced.inc({ outcome, code: error.code }, events);
      }
      throw error;
    }
  }

  /** All or none: one invalid event rejects the batch, with an issue per offending field. */
  private async ingestAll(body: unknown, requestId: string): Promise<{ results: AcceptedEvent[] }> {
    const events = readBatchEvents(body, this.config.http.batchMaxEvents);
    const sentAt = readSentAt(body);
    const outcomes = events.map((e) => this.validate(e, sentAt));
    const issues = outcomes.flatMap((o, i) =>
      o.ok ? [] : o.issues.map((issue) => ({ ...issue, field: prefixed(i, issue.field) })),
    );
    if (issues.length > 0) {
      const unsupported = outcomes.some(
        (o) => !o.ok && o.code === ErrorCode.UNSUPPORTED_SCHEMA_VERSION,
      );
      const bad = outcomes.filter((o) => !o.ok).length;
      throw new CodedError(
        unsupported ? ErrorCode.UNSUPPORTED_SCHEMA_VERSION : ErrorCode.VALIDATION_ERROR,
        `${bad} of ${events.length} events are invalid; none was accepted`,
        issues,
      );
    }
    const valid = outcomes as Valid[];
    checkBatchBytes(valid, this.config.http.batchMaxBytes);
    const duplicates = duplicateIds(valid.map((v, index) => ({ index, eventId: v.event.eventId })));
    if (duplicates.length > 0) {
      throw invalid(
        'eventIds must be unique within a batch',
        duplicates.map((d) => ({ ...d.issue, field: prefixed(d.index, 'eventId') })),
      );
    }
    return { results: await this.publish(valid, requestId) };
  }

  /**
   * Partial mode: every valid event is published (in one produce call, so one transaction when
   * transactions are on), every invalid one answered with its index, code and field errors. A
   * batch with no valid event at all is a 400, as in atomic mode.
   */
  private async ingestPartial(body: unknown, requestId: string): Promise<PartialBatchResult> {
    const events = readBatchEvents(body, this.config.http.batchMaxEvents);
    const sentAt = readSentAt(body);
    const outcomes = events.map((e) => this.validate(e, sentAt));
    const results: EventOutcome[] = [];
    const valid: { index: number; v: Valid }[] = [];
    outcomes.forEach((o, index) => {
      if (o.ok) valid.push({ index, v: o });
      else results[index] = rejected(index, o.code, o.message, o.issues);
    });
    const duplicates = duplicateIds(
      valid.map(({ index, v }) => ({ index, eventId: v.event.eventId })),
    );
    for (const d of duplicates) {
      results[d.index] = rejected(d.index, ErrorCode.VALIDATION_ERROR, d.issue.message, [d.issue]);
    }
    const publishable = valid.filter(({ index }) => results[index] === undefined);
    const refused = results.filter((r): r is RejectedEvent => r?.status === 'rejected');
    for (const r of refused) this.metrics.eventsProduced.inc({ outcome: 'rejected', code: r.code });
    if (publishable.length === 0) {
      throw new CodedError(
        ErrorCode.VALIDATION_ERROR,
        `none of the ${events.length} events is valid; none was accepted`,
        refused.flatMap((r) =>
          r.errors.map((issue) => ({ ...issue, field: prefixed(r.index, issue.field) })),
        ),
      );
    }
    const published = await this.counted(publishable.length, () => {
      checkBatchBytes(
        publishable.map((p) => p.v),
        this.config.http.batchMaxBytes,
      );
      return this.publish(
        publishable.map((p) => p.v),
        requestId,
      );
    });
    published.forEach((p, i) => {
      const { index } = publishable[i];
      results[index] = {
        index,
        status: 'accepted',
        eventId: p.eventId,
        topic: p.topic,
        partition: p.partition,
        offset: p.offset,
      };
    });
    return { accepted: published.length, rejected: refused.length, results };
  }

  /**
   * FIELD_ENCRYPTION_FIELDS encrypted before publishing: neither Kafka nor MongoDB holds their
   * plaintext. Validation ran on the plaintext (its limits are the client's).
   */
  private encrypted(valid: Valid[]): Valid[] {
    const cipher = this.config.fieldCipher;
    const ip = this.config.ipPrivacy;
    if (!cipher && ip.mode === 'keep') return valid;
    return valid.map((v) => {
      const metadata = protectIp(v.event.metadata, ip);
      const event = { ...v.event, metadata: cipher ? cipher.encrypt(metadata) : metadata };
      // The consumer validates what it stores: a ciphertext over the metadata string limit would
      // be dead-lettered there, so it is refused here, naming the field.
      const stored = this.validator.validate(event, { mode: 'stored' });
      if (!stored.ok) {
        throw new CodedError(
          stored.code,
          `after encryption: ${stored.message} (an encrypted value is about 1.4x its plaintext)`,
          stored.issues,
        );
      }
      return stored;
    });
  }

  private validate(input: unknown, sentAt?: Date): ValidationOutcome {
    return this.validator.validate(input, {
      mode: 'ingest',
      newEventId: () => newEventId(),
      sentAt,
      futureTimestamps: this.config.http.futureTimestamps,
      pastTimestamps: this.config.http.pastTimestamps,
    });
  }

  private async publish(validated: Valid[], requestId: string): Promise<AcceptedEvent[]> {
    const now = new Date(); // one send time for the request's records (the timestamp header)
    const valid = this.encrypted(validated);
    const records = valid.map((v) =>
      toActivityRecord(v.event, {
        source: SOURCE,
        correlationId: requestId,
        json: v.json,
        codec: this.codec,
        now,
      }),
    );
    const timer = this.metrics.produceDuration.startTimer();
    try {
      const published = await this.publisher.publish(records);
      timer();
      // Field by field, per event: a spread next to other properties is V8's slow clone path.
      const topic = this.publisher.topic;
      return published.map((p, i) => ({
        eventId: valid[i].event.eventId,
        topic,
        partition: p.partition,
        offset: p.offset,
      }));
    } catch (error) {
      if (error instanceof PublisherOverloadedError) {
        throw new CodedError(
          ErrorCode.OVERLOADED,
          `the API is overloaded (${error.message}); retry in 1 s with the same eventId`,
          undefined,
          1,
        );
      }
      if (!(error instanceof BrokerUnavailableError)) throw error;
      this.logger.warn({
        msg: 'publish failed: broker unavailable',
        requestId,
        error: error.message,
        eventIds: valid.slice(0, 10).map((v) => v.event.eventId),
        events: valid.length,
      });
      throw new CodedError(
        ErrorCode.BROKER_UNAVAILABLE,
        'Kafka is unavailable; retry later with the same eventId',
        undefined,
        RETRY_AFTER_SECONDS,
      );
    }
  }
}

/**
 * PRIVACY_IP_ADDRESS: `truncate` keeps the network (IPv4 /24, IPv6 /48; still a valid address),
 * `hmac` replaces ipAddress by ipHash, HMAC-SHA256 with PRIVACY_HMAC_KEY: the same address gives
 * the same hash (counting, joining) but cannot be read back without the key.
 */
function protectIp(metadata: ActivityMetadata, ip: IpPrivacy): ActivityMetadata {
  const address = metadata.ipAddress;
  if (typeof address !== 'string') return metadata;
  if (ip.mode !== 'hmac') {
    return ip.mode === 'truncate' ? { ...metadata, ipAddress: maskIp(address) } : metadata;
  }
  const { ipAddress: _ipAddress, ...rest } = metadata;
  return { ...rest, ipHash: createHmac('sha256', ip.key).update(address).digest('hex') };
}

const prefixed = (index: number, field: string): string =>
  `events[${index}]${field ? `.${field}` : ''}`;
