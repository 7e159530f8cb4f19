import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { OriginalRecord, decodeHeaders } from '@app/contracts';
import { ACTIVITY_RECORDS_PATTERN } from '../transport/ingestion-topic';
import { RecordIntake } from './record-intake.service';

/**
 * The Kafka edge. It delegates in one call and never throws: Nest's transport would treat any
 * exception as "retry this message", which the engine decides itself.
 */
@Controller()
export class ActivityRecordsController {
  constructor(private readonly intake: RecordIntake) {}

  @EventPattern(ACTIVITY_RECORDS_PATTERN)
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
    return this.intake.accept(record, context.getHeartbeat());
  }
}
