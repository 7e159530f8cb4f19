import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { ActivityEventDto, ErrorCode } from '@app/contracts';
import { FieldIssueDto } from '@app/platform';
import { BATCH_MODES, BatchMode } from './activity-intake.service';

/** The batch endpoint's query, through the global ValidationPipe. */
export class BatchQueryDto {
  @ApiPropertyOptional({
    enum: BATCH_MODES,
    default: 'atomic',
    description:
      '`atomic`: all events or none (one invalid event rejects the batch). `partial`: the valid events are published, each invalid one is answered with its index, code and field errors.',
  })
  @IsOptional()
  @IsIn(BATCH_MODES)
  mode?: BatchMode;
}

/** The beacon endpoint's query: the batch modes, partial by default, and the API key. */
export class BeaconQueryDto {
  @ApiPropertyOptional({
    enum: BATCH_MODES,
    default: 'partial',
    description:
      "As on the batch endpoint, but `partial` by default: nobody reads a beacon's answer, so one invalid event must not drop the others.",
  })
  @IsOptional()
  @IsIn(BATCH_MODES)
  mode?: BatchMode;

  @ApiPropertyOptional({
    name: 'apiKey',
    description:
      'The API key, for navigator.sendBeacon, which cannot set x-api-key. Only on this endpoint: a key in a URL reaches browser history, proxy and CDN logs; use a key that may only ingest, rotate it, and prefer the header wherever it can be set.',
  })
  @IsOptional()
  @IsString()
  apiKey?: string;
}

const SENT_AT_DOC = {
  description:
    "The client's clock when it sent the request (ISO-8601 with a zone). Each timestamp is then stored as timestamp + (receive time - sentAt), correcting a device clock that is off; `metadata.clock` keeps the original.",
  // No example: a fixed time would correct every example timestamp by years.
  format: 'date-time',
  pattern: '^[1-9][0-9]{3}-',
};

/** One event, plus the transport field sentAt (not part of the stored event). */
export class IngestEventDto extends ActivityEventDto {
  @ApiPropertyOptional(SENT_AT_DOC)
  sentAt?: string;
}

export class BatchRequestDto {
  @ApiProperty({
    type: [ActivityEventDto],
    description:
      'Events to publish (default max 500): all or none, or per event with mode=partial.',
  })
  events!: ActivityEventDto[];

  @ApiPropertyOptional(SENT_AT_DOC)
  sentAt?: string;
}

export class AcceptedEventDto {
  @ApiProperty({ example: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7' }) eventId!: string;
  @ApiProperty({ example: 'user-activity-logs' }) topic!: string;
  @ApiProperty({ example: 1 }) partition!: number;
  @ApiProperty({
    example: '12345',
    description: 'Kafka offset (a decimal string: offsets are 64-bit).',
  })
  offset!: string;
}

export class BatchAcceptedDto {
  @ApiProperty({ type: [AcceptedEventDto], description: 'One entry per event, in request order.' })
  results!: AcceptedEventDto[];
}

export class AcceptedOutcomeDto extends AcceptedEventDto {
  @ApiProperty({ example: 0, description: 'Position of the event in the request.' }) index!: number;
  @ApiProperty({ enum: ['accepted'] }) status!: 'accepted';
}

export class RejectedOutcomeDto {
  @ApiProperty({ example: 1, description: 'Position of the event in the request.' }) index!: number;
  @ApiProperty({ enum: ['rejected'] }) status!: 'rejected';
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.VALIDATION_ERROR }) code!: ErrorCode;
  @ApiProperty({ example: 'activityType: Invalid activity type' }) message!: string;
  @ApiProperty({ type: [FieldIssueDto] }) errors!: FieldIssueDto[];
}

@ApiExtraModels(AcceptedOutcomeDto, RejectedOutcomeDto)
export class PartialBatchResultDto {
  @ApiProperty({ example: 497, description: 'Events published (acknowledged by Kafka).' })
  accepted!: number;
  @ApiProperty({ example: 3, description: 'Events refused; nothing of them was published.' })
  rejected!: number;
  @ApiProperty({
    description: 'One outcome per event, in request order.',
    type: 'array',
    items: {
      oneOf: [
        { $ref: '#/components/schemas/AcceptedOutcomeDto' },
        { $ref: '#/components/schemas/RejectedOutcomeDto' },
      ],
    },
  })
  results!: (AcceptedOutcomeDto | RejectedOutcomeDto)[];
}
