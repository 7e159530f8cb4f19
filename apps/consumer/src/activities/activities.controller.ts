import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { StoredActivity } from '@app/activity-store';
import { API_KEY_HEADER, ApiProblems } from '@app/platform';
import { ActivityPage, ActivityQueryService } from './activity-query.service';
import {
  ActivityFilterDto,
  ActivityPageDto,
  StoredActivityDto,
  UserActivityFilterDto,
  UserPathDto,
} from './activity-query.dto';
import { FIND_ONE_ERRORS, LIST_ERRORS, USER_LIST_ERRORS } from './activities.problems';

/** Thin HTTP edge of the read side: the global ValidationPipe checks the DTOs, the service pages. */
@ApiTags('activities')
@Controller('v1')
export class ActivitiesController {
  constructor(private readonly queries: ActivityQueryService) {}

  @Get('activities')
  @ApiOperation({ summary: 'Stored events, newest first, filtered and paged with a cursor.' })
  @ApiOkResponse({ type: ActivityPageDto })
  @ApiProblems(...LIST_ERRORS)
  list(@Query() filter: ActivityFilterDto, @Req() req: FastifyRequest): Promise<ActivityPage> {
    return this.queries.list(filter, req.headers[API_KEY_HEADER]);
  }

  @Get('activities/:eventId')
  @ApiOperation({ summary: 'One stored event with its Kafka coordinates.' })
  @ApiParam({ name: 'eventId', example: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7' })
  @ApiOkResponse({ type: StoredActivityDto })
  @ApiProblems(...FIND_ONE_ERRORS)
  findOne(@Param('eventId') eventId: string, @Req() req: FastifyRequest): Promise<StoredActivity> {
    return this.queries.findOne(eventId, req.headers[API_KEY_HEADER]);
  }

  @Get('users/:userId/activities')
  @ApiOperation({ summary: 'One user’s stored events, newest first, paged with a cursor.' })
  @ApiOkResponse({ type: ActivityPageDto })
  @ApiProblems(...USER_LIST_ERRORS)
  listForUser(
    @Param() path: UserPathDto,
    @Query() filter: UserActivityFilterDto,
    @Req() req: FastifyRequest,
  ): Promise<ActivityPage> {
    return this.queries.list({ ...filter, userId: path.userId }, req.headers[API_KEY_HEADER]);
  }
}
