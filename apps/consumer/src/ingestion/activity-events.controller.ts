import { Controller, Type } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { OriginalRecord, decodeHeaders } from '@app/contracts';
import { ActivityIngestionService } from './activity-ingestion.service';

/**
 * The Kafka edge. The topic name comes from configuration (it may carry a prefix), so the
 * controller class is made for it at boot. It delegates in one call and never throws: Nest's
 * transport would treat any exception as "retry this message", which the service decides itself.
 */
export function activityEventsController(topic: string): Type<unknown> {
  @Controller()
  class ActivityEventsController {
    constructor(private readonly ingestion: ActivityIngestionService) {}

    @EventPattern(topic)
    handle(@Ctx() context: KafkaContext): Promise<void> {
      const message = context.getMessage();
      const record: OriginalRecord = {
        topic: context.getTopic(),
        partition: context.getPartition(),
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: decodeHeaders(message.headers),
      };
      return this.ingestion.accept(record, context.getHeartbeat());
    }
  }
  return ActivityEventsController;
}
