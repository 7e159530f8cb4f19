import { Injectable, Logger } from '@nestjs/common';
import { ActivityEventValidator, ErrorCode, OriginalRecord, parseJsonObject } from '@app/contracts';
import { ActivityRepository } from '../storage/activity.repository';
import { KafkaClients } from './kafka-clients';
import { PartitionHandle } from './partition-handle';

/**
 * Kafka in, MongoDB out: validates a record, stores it (duplicates by eventId are recognised),
 * dead-letters what can never be stored, and only then commits the record's offset.
 */
@Injectable()
export class ActivityIngestionService {
  private readonly logger = new Logger(ActivityIngestionService.name);

  constructor(
    private readonly validator: ActivityEventValidator,
    private readonly repository: ActivityRepository,
    private readonly kafka: KafkaClients,
  ) {}

  async accept(record: OriginalRecord, partition: PartitionHandle): Promise<void> {
    const json = parseJsonObject(record.value);
    const outcome = json
      ? this.validator.validate(json, { mode: 'stored' })
      : ({
          ok: false,
          code: ErrorCode.MALFORMED_MESSAGE,
          message: 'the record value is not a JSON object',
          issues: [],
        } as const);
    if (outcome.ok) {
      const result = await this.repository.insertMany([
        {
          ...outcome.event,
          kafka: { topic: record.topic, partition: record.partition, offset: record.offset },
          receivedAt: new Date(),
        },
      ]);
      this.logger.log({
        msg: result.duplicates ? 'duplicate skipped' : 'stored',
        eventId: outcome.event.eventId,
        partition: record.partition,
        offset: record.offset,
      });
    } else {
      await this.kafka.dlq.publish([
        {
          original: record,
          error: {
            code: outcome.code,
            message: outcome.message,
            timestamp: new Date().toISOString(),
            retryCount: 0,
          },
        },
      ]);
      this.logger.warn({
        msg: 'dead-lettered',
        code: outcome.code,
        partition: record.partition,
        offset: record.offset,
      });
    }
    await partition.commit((BigInt(record.offset) + 1n).toString());
  }
}
