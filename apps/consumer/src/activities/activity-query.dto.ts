import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Length, Matches } from 'class-validator';
import { ACTIVITY_TYPE_PATTERN, LIMITS, USER_ID_PATTERN } from '@app/contracts';

export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 20;

/** Filters and paging of GET /v1/activities; query values arrive as strings. */
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
  @Matches(/^[0-9]{1,3}$/, { message: `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}` })
  limit?: string;

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
