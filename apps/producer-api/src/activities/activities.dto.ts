import { ApiProperty } from '@nestjs/swagger';
import { ActivityEventDto } from '@app/contracts';

export class BatchRequestDto {
  @ApiProperty({
    type: [ActivityEventDto],
    description: 'Events to publish, all or none (default max 500).',
  })
  events!: ActivityEventDto[];
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
