import { Body, Controller, HttpCode, HttpStatus, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { EVENT_ID_PATTERN } from '@app/contracts';
import { ApiProblems } from '@app/platform';
import {
  AcceptedEventDto,
  BatchAcceptedDto,
  BatchQueryDto,
  BeaconQueryDto,
  IngestEventDto,
  BatchRequestDto,
  PartialBatchResultDto,
} from './activities.dto';
import {
  BATCH_ANSWER_EXAMPLES,
  BATCH_ERRORS,
  BATCH_EXAMPLES,
  EVENT_EXAMPLES,
  ONE_EVENT_ERRORS,
} from './activities.examples';
import { ActivityIntakeService } from './activity-intake.service';
import { IDEMPOTENCY_KEY_HEADER } from './batch-request';

/** What the batch and beacon endpoints answer: an all-accepted partial answer has both shapes. */
const BATCH_ANSWER_SCHEMA = {
  anyOf: [
    { $ref: getSchemaPath(BatchAcceptedDto) },
    { $ref: getSchemaPath(PartialBatchResultDto) },
  ],
};

@ApiTags('activities')
@ApiConsumes('application/json')
@Controller('v1/activities')
export class ActivitiesController {
  constructor(private readonly intake: ActivityIntakeService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Publish one activity event; answers once Kafka acknowledged it' })
  @ApiBody({ type: IngestEventDto, examples: EVENT_EXAMPLES })
  @ApiAcceptedResponse({
    type: AcceptedEventDto,
    description: 'Kafka acknowledged the event (acks=all); it is durably on the topic.',
  })
  @ApiProblems(...ONE_EVENT_ERRORS)
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description:
      'IETF httpapi Idempotency-Key ("…" or a bare token): the eventId when the body has none, so retries with the same key are stored once. A different eventId in the body is 400 IDEMPOTENCY_KEY_MISMATCH.',
    schema: {
      type: 'string',
      example: '"evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7"',
      // It becomes the eventId: the same rule, bare or quoted.
      pattern: `^(${EVENT_ID_PATTERN.source.slice(1, -1)}|"${EVENT_ID_PATTERN.source.slice(1, -1)}")$`,
    },
  })
  publishOne(@Body() body: unknown, @Req() req: FastifyRequest): Promise<AcceptedEventDto> {
    return this.intake.ingestOne(body, String(req.id), req.headers[IDEMPOTENCY_KEY_HEADER]);
  }

  @Post('batch')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Publish up to BATCH_MAX_EVENTS events in one produce request: all or none, or per event (mode=partial)',
  })
  @ApiBody({ type: BatchRequestDto, examples: BATCH_EXAMPLES })
  @ApiExtraModels(BatchAcceptedDto, PartialBatchResultDto)
  @ApiAcceptedResponse({
    description:
      'atomic: Kafka acknowledged every event, one result per event in request order. partial: every valid event was acknowledged; `results` has one outcome per event (accepted with its coordinates, or rejected with its code and errors).',
    schema: BATCH_ANSWER_SCHEMA,
    examples: BATCH_ANSWER_EXAMPLES,
  })
  @ApiProblems(...BATCH_ERRORS)
  publishBatch(
    @Body() body: unknown,
    @Query() query: BatchQueryDto,
    @Req() req: FastifyRequest,
  ): Promise<BatchAcceptedDto | PartialBatchResultDto> {
    return this.intake.ingestBatch(body, String(req.id), query.mode);
  }

  @Post('beacon')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiConsumes('text/plain', 'application/json')
  @ApiOperation({
    summary:
      'The batch endpoint for navigator.sendBeacon: the same body as text/plain (a CORS-simple request, no preflight), the API key also as ?apiKey=, partial by default',
  })
  @ApiBody({ type: BatchRequestDto, examples: BATCH_EXAMPLES })
  @ApiAcceptedResponse({
    description: 'As the batch endpoint (sendBeacon does not read it).',
    schema: BATCH_ANSWER_SCHEMA,
    examples: BATCH_ANSWER_EXAMPLES,
  })
  @ApiProblems(...BATCH_ERRORS)
  publishBeacon(
    @Body() body: unknown,
    @Query() query: BeaconQueryDto,
    @Req() req: FastifyRequest,
  ): Promise<BatchAcceptedDto | PartialBatchResultDto> {
    return this.intake.ingestBatch(body, String(req.id), query.mode ?? 'partial');
  }
}
