import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsISO8601,
  IsInt,
  IsOptional,
  Length,
  Matches,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { ACTIVITY_TYPE_PATTERN, LIMITS, USER_ID_PATTERN } from '@app/contracts';

export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 20;

/** `range`: a number from min to max (the page size). */
const InRange = (min: number, max: number): PropertyDecorator =>
  ValidateBy({
    name: 'range',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && value >= min && value <= max,
      defaultMessage: () => `must be from ${min} to ${max}`,
    },
  });

/** `order`: this time is not after the one in `other` (checked only when both are times). */
const NotAfter = (other: string): PropertyDecorator =>
  ValidateBy({
    name: 'order',
    validator: {
      validate: (value: unknown, args) => {
        const bound = (args?.object as Record<string, unknown> | undefined)?.[other];
        if (typeof value !== 'string' || typeof bound !== 'string') return true;
        const [a, b] = [Date.parse(value), Date.parse(bound)];
        return Number.isNaN(a) || Number.isNaN(b) || a <= b;
      },
      defaultMessage: () => `must not be after ${other}`,
    },
  });

/** A user id: the pattern and length of the event contract. */
export const IsUserId = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'matches',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.length <= LIMITS.userIdMaxLength &&
          USER_ID_PATTERN.test(value),
        defaultMessage: () => 'is not a valid user id',
      },
    },
    options,
  );

/**
 * Filters and paging of GET /v1/activities. Query values arrive as strings; ValidationPipe
 * (transform) builds this DTO with class-transformer, which turns `limit` into a number when it
 * is one, and class-validator checks every field. Unknown parameters are rejected, not ignored.
 */
export class ActivityFilterDto {
  @ApiPropertyOptional({ description: 'Only this user’s events.', example: 'user123' })
  @IsOptional()
  @Length(1, LIMITS.userIdMaxLength)
  @Matches(USER_ID_PATTERN)
  userId?: string;

  @ApiPropertyOptional({ description: 'Only this activity type.', example: 'login' })
  @IsOptional()
  @Matches(ACTIVITY_TYPE_PATTERN)
  activityType?: string;

  @ApiPropertyOptional({
    description: 'Events at or after this time (ISO-8601 with a zone).',
    example: '2024-01-12T00:00:00.000Z',
    format: 'date-time',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @NotAfter('to')
  from?: string;

  @ApiPropertyOptional({
    description: 'Events strictly before this time (ISO-8601 with a zone).',
    example: '2024-01-13T00:00:00.000Z',
    format: 'date-time',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  to?: string;

  @ApiPropertyOptional({
    description: `Page size, 1 to ${PAGE_LIMIT_MAX}.`,
    example: PAGE_LIMIT_DEFAULT,
    default: PAGE_LIMIT_DEFAULT,
    minimum: 1,
    maximum: PAGE_LIMIT_MAX,
    type: Number,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[0-9]{1,3}$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}` })
  @InRange(1, PAGE_LIMIT_MAX)
  limit?: number;

  @ApiPropertyOptional({
    description: '`nextCursor` of the previous page. Pages stay stable while events are added.',
  })
  @IsOptional()
  @Length(1, 512)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is not a cursor returned by this API' })
  cursor?: string;
}

/** The same filters without userId, which is in the path of /v1/users/{userId}/activities. */
export class UserActivityFilterDto extends OmitType(ActivityFilterDto, ['userId'] as const) {}

/** The path of /v1/users/{userId}/activities. */
export class UserPathDto {
  @ApiProperty({ example: 'user123' })
  @IsUserId()
  userId!: string;
}

export class KafkaCoordinatesDto {
  @ApiProperty({ example: 'user-activity-logs' }) topic!: string;
  @ApiProperty({ example: 0 }) partition!: number;
  @ApiProperty({ example: '42', description: 'Offset as a decimal string (64-bit).' })
  offset!: string;
}

export class StoredActivityDto {
  @ApiProperty({ example: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7' }) eventId!: string;
  @ApiProperty({ example: 'user123' }) userId!: string;
  @ApiProperty({ example: 'login' }) activityType!: string;
  @ApiProperty({ example: '2024-01-12T10:30:00.000Z', format: 'date-time' }) timestamp!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { ipAddress: '192.168.1.1' },
  })
  metadata!: Record<string, unknown>;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ type: KafkaCoordinatesDto }) kafka!: KafkaCoordinatesDto;
  @ApiProperty({ format: 'date-time', description: 'When the consumer stored the event.' })
  receivedAt!: Date;
}

export class ActivityPageDto {
  @ApiProperty({
    type: [StoredActivityDto],
    description: 'Newest first (timestamp, then eventId).',
  })
  items!: StoredActivityDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
