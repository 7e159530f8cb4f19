import { Injectable, Logger } from '@nestjs/common';
import {
  ActivityEventValidator,
  CodedError,
  ErrorCode,
  FieldIssue,
  ValidationOutcome,
  newEventId,
  toActivityRecord,
} from '@app/contracts';
import { ProducerApiConfig } from '../config/producer-api.config';
import { ActivityPublisher, BrokerUnavailableError } from './activity.publisher';

export interface AcceptedEvent {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

const SOURCE = 'api';
const RETRY_AFTER_SECONDS = 5;

/** The ingest use case: validate, build the Kafka records, publish, report coordinates. */
@Injectable()
export class ActivityIngestService {
  private readonly logger = new Logger(ActivityIngestService.name);

  constructor(
    private readonly validator: ActivityEventValidator,
    private readonly publisher: ActivityPublisher,
    private readonly config: ProducerApiConfig,
  ) {}

  async ingestOne(body: unknown, requestId: string): Promise<AcceptedEvent> {
    const outcome = this.validate(body);
    if (!outcome.ok) throw new CodedError(outcome.code, outcome.message, outcome.issues);
    const [accepted] = await this.publish([outcome], requestId);
    return accepted;
  }

  async ingestBatch(events: unknown, requestId: string): Promise<AcceptedEvent[]> {
    if (!Array.isArray(events) || events.length === 0) {
      throw new CodedError(ErrorCode.VALIDATION_ERROR, 'events must be a non-empty array', [
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
    const outcomes = events.map((e) => this.validate(e));
    const issues: FieldIssue[] = outcomes.flatMap((o, i) =>
      o.ok
        ? []
        : o.issues.map((issue) => ({
            ...issue,
            field: `events[${i}]${issue.field ? `.${issue.field}` : ''}`,
          })),
    );
    if (issues.length > 0) {
      const unsupported = outcomes.some(
        (o) => !o.ok && o.code === ErrorCode.UNSUPPORTED_SCHEMA_VERSION,
      );
      const code = unsupported ? ErrorCode.UNSUPPORTED_SCHEMA_VERSION : ErrorCode.VALIDATION_ERROR;
      const bad = outcomes.filter((o) => !o.ok).length;
      throw new CodedError(
        code,
        `${bad} of ${events.length} events are invalid; none was accepted`,
        issues,
      );
    }
    return this.publish(outcomes as Extract<ValidationOutcome, { ok: true }>[], requestId);
  }

  private validate(input: unknown): ValidationOutcome {
    return this.validator.validate(input, { mode: 'ingest', newEventId: () => newEventId() });
  }

  private async publish(
    valid: Extract<ValidationOutcome, { ok: true }>[],
    requestId: string,
  ): Promise<AcceptedEvent[]> {
    const records = valid.map((v) =>
      toActivityRecord(v.event, { source: SOURCE, correlationId: requestId, json: v.json }),
    );
    try {
      const published = await this.publisher.publish(records);
      return published.map((p, i) => ({
        eventId: valid[i].event.eventId,
        topic: this.publisher.topic,
        ...p,
      }));
    } catch (error) {
      if (error instanceof BrokerUnavailableError) {
        this.logger.warn({
          msg: 'publish failed: broker unavailable',
          requestId,
          error: error.message,
          events: valid.length,
        });
        throw new CodedError(
          ErrorCode.BROKER_UNAVAILABLE,
          'Kafka is unavailable; retry later',
          undefined,
          RETRY_AFTER_SECONDS,
        );
      }
      throw error;
    }
  }
}
