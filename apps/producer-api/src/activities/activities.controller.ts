import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ActivityEventDto } from '@app/contracts';
import { ApiProblems } from '@app/platform';
import { AcceptedEventDto, BatchAcceptedDto, BatchRequestDto } from './activities.dto';
import {
  BATCH_ERRORS,
  BATCH_EXAMPLES,
  EVENT_EXAMPLES,
  ONE_EVENT_ERRORS,
} from './activities.examples';
import { ActivityIntakeService } from './activity-intake.service';

@ApiTags('activities')
@ApiConsumes('application/json')
@Controller('v1/activities')
export class ActivitiesController {
  constructor(private readonly intake: ActivityIntakeService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Publish one activity event; answers once Kafka acknowledged it' })
  @ApiBody({ type: ActivityEventDto, examples: EVENT_EXAMPLES })
  @ApiAcceptedResponse({
    type: AcceptedEventDto,
    description: 'Kafka acknowledged the event (acks=all); it is durably on the topic.',
  })
  @ApiProblems(...ONE_EVENT_ERRORS)
  publishOne(@Body() body: unknown, @Req() req: FastifyRequest): Promise<AcceptedEventDto> {
    return this.intake.ingestOne(body, String(req.id));
  }

  @Post('batch')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Publish up to BATCH_MAX_EVENTS events in one produce request, all or none',
  })
  @ApiBody({ type: BatchRequestDto, examples: BATCH_EXAMPLES })
  @ApiAcceptedResponse({
    type: BatchAcceptedDto,
    description: 'Kafka acknowledged every event; one result per event, in request order.',
  })
  @ApiProblems(...BATCH_ERRORS)
  publishBatch(@Body() body: unknown, @Req() req: FastifyRequest): Promise<BatchAcceptedDto> {
    return this.intake.ingestBatch(body, String(req.id));
  }
}
