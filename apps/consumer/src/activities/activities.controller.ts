import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CodedError, ErrorCode } from '@app/contracts';
import { ActivityRepository } from '../storage/activity.repository';
import { StoredActivity } from '../storage/stored-activity';

@ApiTags('activities')
@Controller('v1/activities')
export class ActivitiesController {
  constructor(private readonly repository: ActivityRepository) {}

  @Get(':eventId')
  @ApiOkResponse({ description: 'The stored event with its Kafka coordinates.' })
  async findOne(@Param('eventId') eventId: string): Promise<StoredActivity> {
    const found = await this.repository.findByEventId(eventId);
    if (!found)
      throw new CodedError(ErrorCode.NOT_FOUND, `no stored event with eventId ${eventId}`);
    return found;
  }
}
