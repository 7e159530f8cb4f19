import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsObject, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { ACTIVITY_TYPES_V1, ACTIVITY_TYPE_PATTERN } from './activity-types';
import { EVENT_ID_PATTERN, LIMITS, USER_ID_PATTERN } from './limits';
import { CURRENT_SCHEMA_VERSION } from './schema-version';

/**
 * Optional means "may be left out", not "may be null": the OpenAPI document declares no field
 * nullable, and class-validator's IsOptional would let null through.
 */
const OmittableNotNull = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

/** A string field documented and validated by one decorator, so docs and rules cannot drift. */
function StringField(opts: {
  description: string;
  example: string;
  min?: number;
  max: number;
  pattern?: RegExp;
  required: boolean;
}): PropertyDecorator {
  const doc = {
    description: opts.description,
    example: opts.example,
    minLength: opts.min ?? 1,
    maxLength: opts.max,
    ...(opts.pattern ? { pattern: opts.pattern.source } : {}),
  };
  return applyDecorators(
    opts.required ? ApiProperty(doc) : ApiPropertyOptional(doc),
    ...(opts.required ? [] : [OmittableNotNull()]),
    IsString(),
    Length(opts.min ?? 1, opts.max),
    ...(opts.pattern ? [Matches(opts.pattern)] : []),
  );
}

/** Documentation of metadata's well-known keys; free-form keys are allowed within LIMITS. */
export class ActivityMetadataDto {
  @ApiPropertyOptional({
    description: 'Client IPv4 or IPv6 address',
    example: '192.168.1.1',
    anyOf: [
      { type: 'string', format: 'ipv4' },
      { type: 'string', format: 'ipv6' },
    ],
  })
  ipAddress?: string;

  @ApiPropertyOptional({
    example: 'Mozilla/5.0 (X11; Linux x86_64)',
    minLength: 1,
    maxLength: LIMITS.userAgentMaxLength,
  })
  userAgent?: string;

  @ApiPropertyOptional({
    example: 'sess_abc123',
    minLength: 1,
    maxLength: LIMITS.sessionIdMaxLength,
  })
  sessionId?: string;
}

/** The value of a `user-activity-logs` record, schema 1.x (see the spec's Message Structure). */
export class ActivityEventDto {
  @StringField({
    description:
      'Unique event id and idempotency key. Optional on ingest: the API generates `evt_<time-ordered id>`.',
    example: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7',
    min: 8,
    max: LIMITS.eventIdMaxLength,
    pattern: EVENT_ID_PATTERN,
    required: false,
  })
  eventId?: string;

  @StringField({
    description: 'The user the activity belongs to; also the Kafka partition key.',
    example: 'user123',
    max: LIMITS.userIdMaxLength,
    pattern: USER_ID_PATTERN,
    required: true,
  })
  userId!: string;

  @ApiProperty({
    description: `One of the configured activity types (built in: ${ACTIVITY_TYPES_V1.join(', ')}).`,
    example: 'login',
    // The built-in types: a pattern alone documented every lowercase word as accepted (400 isIn).
    // Types added with ACTIVITY_TYPES_EXTRA are accepted too but not listed here.
    enum: [...ACTIVITY_TYPES_V1],
    pattern: ACTIVITY_TYPE_PATTERN.source,
  })
  @IsString()
  @Matches(ACTIVITY_TYPE_PATTERN)
  activityType!: string;

  @ApiPropertyOptional({
    description: `When the activity happened, ISO-8601 with a time zone; stored in UTC. Defaults to receive time. The API accepts it from ${LIMITS.timestampMaxAgeMs / 86_400_000} days before the server clock to ${LIMITS.timestampMaxFutureSkewMs / 60_000} minutes after it (older events would expire from the topic); older (or before 2000) is 400 VALIDATION_ERROR with rule minDate (PAST_TIMESTAMPS=reject, the default) or set to the receive time with \`metadata.clock.warning\` = past_timestamp_clamped (clamp). Further ahead is set to the receive time with \`metadata.clock.warning\` = future_timestamp_clamped (FUTURE_TIMESTAMPS=clamp, the default) or 400 with rule maxDate (reject). With \`sentAt\` the producer API first corrects it by the client clock's offset (metadata.clock keeps the original).`,
    // No example: a fixed time soon falls out of the window, so the document's own example
    // (which Swagger UI and schemathesis send) would be refused.
    format: 'date-time',
    // Years 0000-0999 fail the strict ISO-8601 check (Date reads years below 100 as 19xx).
    pattern: '^[1-9][0-9]{3}-',
  })
  @OmittableNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  timestamp?: string;

  @ApiPropertyOptional({
    type: ActivityMetadataDto,
    description: `Context of the activity: ipAddress, userAgent, sessionId, plus up to ${LIMITS.metadataMaxExtraKeys} free-form keys (depth ≤ ${LIMITS.metadataMaxDepth}, ≤ ${LIMITS.metadataMaxBytes} bytes).`,
  })
  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'Schema version (semantic). Any 1.x.y is accepted; `1.0` reads as 1.0.0. Defaults to the current one.',
    example: CURRENT_SCHEMA_VERSION,
    pattern: '^1\\.(0|[1-9][0-9]{0,3})(\\.(0|[1-9][0-9]{0,3}))?$',
  })
  @OmittableNotNull()
  @IsString()
  version?: string;
}

export interface ActivityMetadata {
  ipAddress?: string;
  userAgent?: string;
  sessionId?: string;
  [key: string]: unknown;
}

/** A validated event in the current schema: what goes on the topic and into the database. */
/**
 * Every property of T, optional ones included (possibly undefined): the return type of code that
 * copies an event field by field, so that a field added to T is a compile error there.
 */
export type EveryField<T> = { [K in keyof Required<T>]: T[K] };

export interface ActivityEvent {
  eventId: string;
  userId: string;
  activityType: string;
  timestamp: string;
  metadata: ActivityMetadata;
  version: string;
}
