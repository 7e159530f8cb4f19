import { ValidationError, validateSync } from 'class-validator';
import { ActivityEvent, ActivityEventDto } from './activity-event.dto';
import { meetsDtoRules } from './activity-event.fast-path';
import { isCanonicalUtc } from './canonical-timestamp';
import { ActivityTypeRegistry } from './activity-types';
import { ErrorCode } from './error-codes';
import { FORBIDDEN_KEYS, LIMITS } from './limits';
import { checkMetadata, isPlainObject, metadataSizeIssue } from './metadata.rules';
import type { FieldIssue } from './problem';
import {
  CURRENT_SCHEMA_VERSION,
  SUPPORTED_MAJOR,
  UPCASTERS,
  Upcaster,
  formatSchemaVersion,
  parseSchemaVersion,
  upcast,
} from './schema-version';

export type ValidationOutcome =
  | {
      ok: true;
      event: ActivityEvent;
      /** JSON of `event`, ready to produce, and its size in UTF-8 bytes. */
      json: string;
      bytes: number;
    }
  | { ok: false; code: ErrorCode; message: string; issues: FieldIssue[] };

export interface ValidateOptions {
  /**
   * Ingest (HTTP): eventId, timestamp and version may be omitted and get defaults, and the
   * timestamp must be recent. Stored (Kafka): every field must be present, any past time is fine.
   */
  mode: 'ingest' | 'stored';
  /** Generates ids for ingest events that carry none. */
  newEventId?: () => string;
  now?: Date;
  /**
   * Ingest only: the client's clock when it sent the request (`sentAt`). The event time is then
   * corrected by the client's clock offset: timestamp + (receive time - sentAt), Segment's rule.
   */
  sentAt?: Date;
  /**
   * Ingest only: a timestamp (after correction) more than LIMITS.timestampMaxFutureSkewMs ahead
   * of the server clock is a 400 (`reject`, the default) or is set to the receive time with a
   * warning recorded in metadata.clock (`clamp`, PostHog's rule).
   */
  futureTimestamps?: 'reject' | 'clamp';
  /**
   * Ingest only: a timestamp (after correction) older than LIMITS.timestampMaxAgeMs, or before
   * LIMITS.timestampMinIso, is a 400 (`reject`, the default) or is set to the receive time with
   * a warning in metadata.clock (`clamp`).
   */
  pastTimestamps?: 'reject' | 'clamp';
}

/** metadata.clock: what clock correction did to the event's time (written by the API only). */
export interface ClockCorrection {
  /** The timestamp as the client sent it (absent when it sent none). */
  clientTimestamp?: string;
  sentAt?: string;
  receivedAt: string;
  /** receivedAt - sentAt: how far the client's clock is behind the server's (ahead if < 0). */
  offsetMs?: number;
  warning?: typeof FUTURE_TIMESTAMP_CLAMPED | typeof PAST_TIMESTAMP_CLAMPED;
}

/** The metadata key holding the ClockCorrection; reserved, so a client may not send it. */
export const CLOCK_METADATA_KEY = 'clock';
export const FUTURE_TIMESTAMP_CLAMPED = 'future_timestamp_clamped';
export const PAST_TIMESTAMP_CLAMPED = 'past_timestamp_clamped';

/** `1.2` and `1.2.0` are the same version; the stored form is always three-part. */
const normalizeVersion = (version: string | undefined): string => {
  const parsed = parseSchemaVersion(version);
  return parsed ? formatSchemaVersion(parsed) : CURRENT_SCHEMA_VERSION;
};

const TIMESTAMP_HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/;
/**
 * The stored form of a valid timestamp: UTC with milliseconds, as toISOString writes it. Most
 * clients send that form already, and it is then kept as it is: a Date round trip per event was
 * the validator's largest cost (Date also accepts Feb 30 or 24:00 and moves them; those are
 * not canonical here).
 */
function canonicalTimestamp(timestamp: string | undefined, now: Date | undefined): string {
  if (timestamp === undefined) return (now ?? new Date()).toISOString();
  if (isCanonicalUtc(timestamp)) return timestamp;
  return new Date(timestamp).toISOString();
}
const MIN_TIMESTAMP_MS = Date.parse(LIMITS.timestampMinIso);

function flattenErrors(errors: ValidationError[], prefix = ''): FieldIssue[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknownField' : rule,
      message: rule === 'whitelistValidation' ? `unknown field "${e.property}"` : message,
    }));
    return [...own, ...flattenErrors(e.children ?? [], field)];
  });
}

const fail = (code: ErrorCode, message: string, issues: FieldIssue[] = []): ValidationOutcome => ({
  ok: false,
  code,
  message,
  issues,
});

/** A VALIDATION_ERROR naming every issue, in order. */
const invalid = (issues: FieldIssue[]): ValidationOutcome =>
  fail(
    ErrorCode.VALIDATION_ERROR,
    issues.map((i) => `${i.field}: ${i.message}`).join('; '),
    issues,
  );

/**
 * The single validation path of an activity event, used by the HTTP API before producing and by
 * the consumer before storing, so both accept exactly the same events.
 */
export class ActivityEventValidator {
  constructor(
    private readonly activityTypes: ActivityTypeRegistry = new ActivityTypeRegistry(),
    private readonly upcasters: readonly Upcaster[] = UPCASTERS,
  ) {}

  validate(input: unknown, options: ValidateOptions): ValidationOutcome {
    if (!isPlainObject(input)) {
      return fail(ErrorCode.VALIDATION_ERROR, 'an activity event must be a JSON object', [
        { field: '', message: 'must be a JSON object', rule: 'isObject' },
      ]);
    }
    let forbidden: string[] | undefined;
    for (const key of Object.keys(input)) if (FORBIDDEN_KEYS.has(key)) (forbidden ??= []).push(key);
    if (forbidden) {
      return fail(
        ErrorCode.VALIDATION_ERROR,
        'the event has forbidden keys',
        forbidden.map((k) => ({
          field: k,
          message: `key "${k}" is not allowed`,
          rule: 'forbiddenKey',
        })),
      );
    }

    const versionIssue = this.checkVersion(input.version, options);
    if (versionIssue) return versionIssue;

    const raw = upcast(input, this.upcasters);
    // class-validator only when something is wrong: it is slow, and it words the errors. On the
    // fast path the input has the DTO's fields only and is read as it is (no class instance).
    const fast = meetsDtoRules(raw);
    const dto = fast
      ? (raw as unknown as ActivityEventDto)
      : Object.assign(new ActivityEventDto(), raw);
    const issues = fast
      ? []
      : flattenErrors(
          validateSync(dto, {
            whitelist: true,
            forbidNonWhitelisted: true,
            forbidUnknownValues: true,
          }),
        );
    if (typeof dto.activityType === 'string' && !issues.some((i) => i.field === 'activityType')) {
      if (!this.activityTypes.has(dto.activityType)) {
        issues.push({ field: 'activityType', message: 'Invalid activity type', rule: 'isIn' });
      }
    }
    if (options.mode === 'stored') {
      for (const field of ['eventId', 'timestamp'] as const) {
        if (dto[field] === undefined)
          issues.push({ field, message: `${field} is required`, rule: 'isDefined' });
      }
    }
    // The metadata's size rule is deferred: its JSON is part of the event's, serialized below
    // anyway, so only an event larger than the metadata limit needs the metadata serialized alone.
    // `metadataSizeAt` is where its issue goes, so issues keep the order checkMetadata gives them.
    let metadataSizeAt = -1;
    const metadata = isPlainObject(dto.metadata) ? dto.metadata : undefined;
    if (metadata) {
      const own = checkMetadata(metadata, 'metadata', { size: false });
      issues.push(...own);
      if (own.length === 0) metadataSizeAt = issues.length;
    }
    if (options.mode === 'ingest' && metadata && metadata[CLOCK_METADATA_KEY] !== undefined) {
      issues.push({
        field: `metadata.${CLOCK_METADATA_KEY}`,
        message: 'is reserved for the clock correction the API records',
        rule: 'reservedKey',
      });
    }
    let clock: { corrected: string; record: ClockCorrection } | undefined;
    if (typeof dto.timestamp === 'string' && !issues.some((i) => i.field === 'timestamp')) {
      const checked = this.checkTimestamp(dto.timestamp, options);
      issues.push(...checked.issues);
      clock = checked.clock;
    }
    if (issues.length > 0) {
      const tooLarge = metadata && metadataSizeAt >= 0 ? metadataSizeIssue(metadata) : null;
      if (tooLarge) issues.splice(metadataSizeAt, 0, tooLarge);
      return invalid(issues);
    }

    const event: ActivityEvent = {
      eventId: dto.eventId ?? this.generateId(options),
      userId: dto.userId,
      activityType: dto.activityType,
      timestamp: clock ? clock.corrected : canonicalTimestamp(dto.timestamp, options.now),
      metadata: clock
        ? { ...dto.metadata, [CLOCK_METADATA_KEY]: clock.record }
        : (dto.metadata ?? {}),
      version: normalizeVersion(dto.version),
    };
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    const tooLarge =
      metadata && metadataSizeAt >= 0 && bytes > LIMITS.metadataMaxBytes
        ? metadataSizeIssue(metadata)
        : null;
    if (tooLarge) return invalid([tooLarge]);
    if (bytes > LIMITS.eventMaxBytes) {
      return fail(
        ErrorCode.VALIDATION_ERROR,
        `the event is larger than ${LIMITS.eventMaxBytes} bytes`,
        [{ field: '', message: `larger than ${LIMITS.eventMaxBytes} bytes`, rule: 'maxBytes' }],
      );
    }
    return { ok: true, event, json, bytes };
  }

  private checkVersion(version: unknown, options: ValidateOptions): ValidationOutcome | null {
    if (version === undefined && options.mode === 'ingest') return null;
    const parsed = parseSchemaVersion(version);
    if (!parsed) {
      return fail(ErrorCode.VALIDATION_ERROR, 'version must be a semantic version such as 1.0.0', [
        { field: 'version', message: 'must be a semantic version such as 1.0.0', rule: 'semver' },
      ]);
    }
    if (parsed.major !== SUPPORTED_MAJOR) {
      return fail(
        ErrorCode.UNSUPPORTED_SCHEMA_VERSION,
        `schema version ${String(version)} is not supported; this service reads ${SUPPORTED_MAJOR}.x.y`,
        [
          {
            field: 'version',
            message: `major version must be ${SUPPORTED_MAJOR}`,
            rule: 'supportedMajor',
          },
        ],
      );
    }
    return null;
  }

  /**
   * The timestamp's rules; in ingest mode with `sentAt` or `futureTimestamps: 'clamp'`, also the
   * corrected time and what was done, for metadata.clock.
   */
  private checkTimestamp(
    timestamp: string,
    options: ValidateOptions,
  ): { issues: FieldIssue[]; clock?: { corrected: string; record: ClockCorrection } } {
    const issue = (message: string, rule: string) => ({
      issues: [{ field: 'timestamp', message, rule }],
    });
    if (!TIMESTAMP_HAS_ZONE.test(timestamp)) {
      return issue('must include a time zone (e.g. Z)', 'timeZone');
    }
    let ms = Date.parse(timestamp);
    const nowDate = options.now ?? new Date();
    const now = nowDate.getTime();
    const ingest = options.mode === 'ingest';
    const clampPast = ingest && options.pastTimestamps === 'clamp';
    if (Number.isNaN(ms) || (ms < MIN_TIMESTAMP_MS && !clampPast)) {
      return issue(`must be after ${LIMITS.timestampMinIso}`, 'minDate');
    }
    let record: ClockCorrection | undefined;
    if (ingest && options.sentAt) {
      const offsetMs = now - options.sentAt.getTime();
      ms += offsetMs;
      record = {
        clientTimestamp: timestamp,
        sentAt: options.sentAt.toISOString(),
        receivedAt: nowDate.toISOString(),
        offsetMs,
      };
    }
    if (ms > now + LIMITS.timestampMaxFutureSkewMs) {
      if (!ingest || options.futureTimestamps !== 'clamp') {
        return issue('is too far in the future', 'maxDate');
      }
      ms = now;
      record = {
        clientTimestamp: timestamp,
        ...record,
        receivedAt: nowDate.toISOString(),
        warning: FUTURE_TIMESTAMP_CLAMPED,
      };
    }
    if (ingest && ms < Math.max(now - LIMITS.timestampMaxAgeMs, MIN_TIMESTAMP_MS)) {
      if (!clampPast) return issue('is older than the accepted window (7 days)', 'minDate');
      ms = now;
      record = {
        clientTimestamp: timestamp,
        ...record,
        receivedAt: nowDate.toISOString(),
        warning: PAST_TIMESTAMP_CLAMPED,
      };
    }
    return {
      issues: [],
      ...(record ? { clock: { corrected: new Date(ms).toISOString(), record } } : {}),
    };
  }

  private generateId(options: ValidateOptions): string {
    if (!options.newEventId)
      throw new Error('ingest validation needs newEventId to fill a missing eventId');
    return options.newEventId();
  }
}
