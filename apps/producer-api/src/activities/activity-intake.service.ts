import { Injectable, Logger } from '@nestjs/common';
import {
  ActivityEventValidator,
  CodedError,
  ErrorCode,
  FieldIssue,
  ValidationOutcome,
  ValueCodec,
  newEventId,
  toActivityRecord,
} from '@app/contracts';
import { Metrics } from '@app/platform';
import { ProducerApiConfig } from '../config/producer-api.config';
import { ActivityPublisher, BrokerUnavailableError } from '../kafka/activity.publisher';

export interface AcceptedEvent {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

type Valid = Extract<ValidationOutcome, { ok: true }>;

const SOURCE = 'api';
export const RETRY_AFTER_SECONDS = 5;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (message: string, issues: FieldIssue[]) =>
  new CodedError(ErrorCode.VALIDATION_ERROR, message, issues);

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

  ingestOne(body: unknown, requestId: string): Promise<AcceptedEvent> {
    return this.counted(1, async () => {
      const outcome = this.validate(body);
      if (!outcome.ok) throw new CodedError(outcome.code, outcome.message, outcome.issues);
      const [accepted] = await this.publish([outcome], requestId);
      return accepted;
    });
  }

  ingestBatch(body: unknown, requestId: string): Promise<{ results: AcceptedEvent[] }> {
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
    const events = this.batchEvents(body);
    const outcomes = events.map((e) => this.validate(e));
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
    this.checkBatch(valid);
    return { results: await this.publish(valid, requestId) };
  }

  private batchEvents(body: unknown): unknown[] {
    if (!isPlainObject(body)) {
      throw invalid('the body must be a JSON object with an events array', [
        { field: '', message: 'must be a JSON object', rule: 'isObject' },
      ]);
    }
    const unknown = Object.keys(body).filter((k) => k !== 'events');
    if (unknown.length > 0) {
      throw invalid(
        `unknown field "${unknown[0]}"`,
        unknown.map((k) => ({ field: k, message: `unknown field "${k}"`, rule: 'unknownField' })),
      );
    }
    const { events } = body;
    if (!Array.isArray(events) || events.length === 0) {
      throw invalid('events must be a non-empty array', [
        { field: 'events', message: 'must be a non-empty array', rule: 'arrayNotEmpty' },
      ]);
    }
    const max = this.config.http.batchMaxEvents;
    if (events.length > max) {
      throw new CodedError(
        ErrorCode.BATCH_TOO_LARGE,
        `a batch holds at most ${max} events; got ${events.length}`,
      );
    }
    return events;
  }

  /** Bytes bound (one produce request must stay under the broker's limit) and unique ids. */
  private checkBatch(valid: Valid[]): void {
    const bytes = valid.reduce((sum, v) => sum + v.bytes, 0);
    const maxBytes = this.config.http.batchMaxBytes;
    if (bytes > maxBytes) {
      throw new CodedError(
        ErrorCode.BATCH_TOO_LARGE,
        `a batch holds at most ${maxBytes} bytes of events; got ${bytes}`,
      );
    }
    const seen = new Map<string, number>();
    const duplicates: FieldIssue[] = [];
    valid.forEach((v, i) => {
      const first = seen.get(v.event.eventId);
      if (first === undefined) seen.set(v.event.eventId, i);
      else
        duplicates.push({
          field: prefixed(i, 'eventId'),
          message: `duplicates events[${first}].eventId`,
          rule: 'unique',
        });
    });
    if (duplicates.length > 0) throw invalid('eventIds must be unique within a batch', duplicates);
  }

  private validate(input: unknown): ValidationOutcome {
    return this.validator.validate(input, { mode: 'ingest', newEventId: () => newEventId() });
  }

  private async publish(valid: Valid[], requestId: string): Promise<AcceptedEvent[]> {
    const now = new Date(); // one send time for the request's records (the timestamp header)
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
      return published.map((p, i) => ({
        eventId: valid[i].event.eventId,
        topic: this.publisher.topic,
        ...p,
      }));
    } catch (error) {
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

const prefixed = (index: number, field: string): string =>
  `events[${index}]${field ? `.${field}` : ''}`;
