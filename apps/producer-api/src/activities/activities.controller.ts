import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ActivityEventDto } from '@app/contracts';
import { AcceptedEventDto, BatchAcceptedDto, BatchRequestDto } from './activities.dto';
import { ActivityIngestService } from './activity-ingest.service';

@ApiTags('activities')
@Controller('v1/activities')
export class ActivitiesController {
  constructor(private readonly ingest: ActivityIngestService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiBody({ type: ActivityEventDto })
  @ApiAcceptedResponse({
    type: AcceptedEventDto,
    description: 'Kafka acknowledged the event (acks=all).',
  })
  publishOne(@Body() body: unknown, @Req() req: FastifyRequest): Promise<AcceptedEventDto> {
    return this.ingest.ingestOne(body, String(req.id));
  }

  @Post('batch')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiBody({ type: BatchRequestDto })
  @ApiAcceptedResponse({ type: BatchAcceptedDto })
  async publishBatch(
    @Body() body: { events?: unknown } | undefined,
    @Req() req: FastifyRequest,
  ): Promise<BatchAcceptedDto> {
    return { results: await this.ingest.ingestBatch(body?.events, String(req.id)) };
  }
}
