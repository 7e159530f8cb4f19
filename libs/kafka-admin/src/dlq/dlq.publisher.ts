import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CompressionTypes, Kafka, Producer } from 'kafkajs';
import { DLQ_HEADERS, DlqError, OriginalRecord, toDlqRecord } from '@app/contracts';
import { KAFKA_MODULE_OPTIONS, KafkaModuleOptions } from '../kafka.options';

export interface DlqFailure {
  original: OriginalRecord;
  error: DlqError;
}

/**
 * Writes failed records to the dead-letter topic in the spec's envelope, keyed like the original
 * so a user's failures stay in order, with the consumer group that refused them in a header (each
 * group dead-letters its own failures; `dlq replay --group` replays one group's). Resolves only
 * after the broker acknowledged (acks=all): the caller commits the original offset after that, so
 * a crash in between redelivers, never loses. Its idempotent producer connects on first use and
 * disconnects on application shutdown, after the transports stopped, so a last flush can still
 * dead-letter.
 */
@Injectable()
export class DlqPublisher implements OnApplicationShutdown {
  readonly topic: string;
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(
    @Inject(Kafka) kafka: Kafka,
    @Inject(KAFKA_MODULE_OPTIONS) options: KafkaModuleOptions,
  ) {
    this.topic = options.topics.deadLetter.name;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async publish(failures: readonly DlqFailure[], consumerGroup?: string): Promise<void> {
    if (failures.length === 0) return;
    await this.connect();
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: failures.map((f) => {
        const record = toDlqRecord(f.original, f.error);
        if (consumerGroup) record.headers[DLQ_HEADERS.consumerGroup] = consumerGroup;
        return record;
      }),
    });
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
