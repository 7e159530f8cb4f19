import { ClientKafka } from '@nestjs/microservices';
import type { Message, RecordMetadata } from 'kafkajs';
import { lastValueFrom } from 'rxjs';

/** The injection token of the producer-api's Nest Kafka client (ClientsModule.registerAsync). */
export const ACTIVITY_KAFKA_CLIENT = 'ACTIVITY_KAFKA_CLIENT';

/**
 * Nest's Kafka client (producer only), with what the ingest path needs of it: one produce call
 * per group of requests (`emitBatch`, resolving with the broker's acknowledgements, i.e. each
 * partition's base offset), a connect that is retried after a failure (ClientKafka keeps a failed
 * connect's promise forever), and a way to start over with a fresh kafkajs client and producer —
 * a new producer id, hence new sequence numbers, after a failed send (see serial-sender.ts).
 */
export class ActivityKafkaClient extends ClientKafka {
  override async connect(): Promise<never> {
    try {
      return (await super.connect()) as never;
    } catch (error) {
      this.renew();
      throw error;
    }
  }

  /** One produce call of these records; resolves with the broker's per-partition answers. */
  async sendBatch(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    await this.connect();
    const acks: unknown = await lastValueFrom(this.emitBatch(topic, { messages }));
    return acks as RecordMetadata[];
  }

  /**
   * Drops the producer (and with it its producer id) at once; the next send connects a new one.
   * The old one is disconnected in the background, which also cancels a send still retrying.
   */
  renew(): void {
    const old = this._producer;
    this._producer = null;
    this.initialized = null;
    this.client = null;
    old?.disconnect().catch(() => undefined);
  }
}
