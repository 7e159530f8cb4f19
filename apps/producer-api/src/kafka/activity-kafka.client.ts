import { ClientKafka } from '@nestjs/microservices';
import type { Message, RecordMetadata } from 'kafkajs';
import { lastValueFrom } from 'rxjs';

/** The injection token of the producer-api's Nest Kafka client (ClientsModule.registerAsync). */
export const ACTIVITY_KAFKA_CLIENT = 'ACTIVITY_KAFKA_CLIENT';

/** Another producer took this transactional id over: this instance must not produce any more. */
export class ProducerFencedError extends Error {
  constructor(
    readonly transactionalId: string,
    cause: unknown,
  ) {
    super(
      `another instance uses the transactional id "${transactionalId}" and fenced this one; give each instance its own PRODUCER_TRANSACTIONAL_ID (default: the client id and host name)`,
      { cause },
    );
    this.name = 'ProducerFencedError';
  }
}

/** Kafka's answers to a producer whose epoch was bumped by a newer one with the same id. */
const FENCED =
  /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|fenced|newer producer with the same transactionalId/i;

const isFenced = (error: unknown): boolean => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const type = (e as { type?: unknown }).type;
    if (FENCED.test(String(type)) || FENCED.test(e.message)) return true;
  }
  return false;
};

/**
 * Nest's Kafka client (producer only), with what the ingest path needs of it: one produce call
 * per group of requests (`emitBatch`, resolving with the broker's acknowledgements, i.e. each
 * partition's base offset), or one Kafka transaction per call when the producer has a
 * transactional id; a connect that is retried after a failure (ClientKafka keeps a failed
 * connect's promise forever); and a way to start over with a fresh kafkajs client and producer —
 * a new producer id (or epoch), hence new sequence numbers, after a failed send (serial-sender.ts).
 */
export class ActivityKafkaClient extends ClientKafka {
  private fencedBy: ProducerFencedError | null = null;

  override async connect(): Promise<never> {
    try {
      return (await super.connect()) as never;
    } catch (error) {
      this.renew();
      throw error;
    }
  }

  /** Set once another instance fenced this one's transactional id; nothing is sent after that. */
  get fenced(): ProducerFencedError | null {
    return this.fencedBy;
  }

  /** One produce call of these records; resolves with the broker's per-partition answers. */
  async sendBatch(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    if (this.fencedBy) throw this.fencedBy;
    await this.connect();
    const transactionalId = this.options.producer?.transactionalId;
    if (!transactionalId) {
      const acks: unknown = await lastValueFrom(this.emitBatch(topic, { messages }));
      return acks as RecordMetadata[];
    }
    const startedAt = Date.now();
    try {
      return await this.sendInTransaction(topic, messages);
    } catch (error) {
      // Kafka answers the same "old epoch" when another producer took the id over and when it
      // expired this producer's transaction (the process stalled past the transaction timeout,
      // e.g. SIGSTOP). Only a young transaction means fenced; an expired one is renewed as usual.
      const timeoutMs = this.options.producer?.transactionTimeout ?? 60_000;
      if (isFenced(error) && Date.now() - startedAt < timeoutMs * 0.8) {
        this.fencedBy = new ProducerFencedError(transactionalId, error);
      }
      throw this.fencedBy ?? error;
    }
  }

  /**
   * All the records or none, for every read_committed reader: one transaction per call. On any
   * failure it is aborted (best effort: renew() then bumps the epoch, which aborts it for sure).
   */
  private async sendInTransaction(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    const transaction = await this.producer.transaction();
    try {
      const acks = await transaction.send({ topic, messages, ...this.options.send });
      await transaction.commit();
      return acks;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /**
   * A client with the same options and a kafkajs client and producer of its own (client id
   * `<id>-lane-<n>`): a producer lane (PRODUCER_LANES) whose failures renew only its own producer.
   */
  lane(n: number): ActivityKafkaClient {
    const client = this.options.client;
    return new ActivityKafkaClient({
      ...this.options,
      client: { ...client, brokers: client?.brokers ?? [], clientId: `${this.clientId}-lane-${n}` },
    });
  }

  /**
   * Drops the producer (and with it its producer id or epoch) at once; the next send connects a
   * new one. The old one is disconnected in the background, which also cancels a send still
   * retrying. With a transactional id, the new producer's InitProducerId aborts whatever the old
   * one left open.
   */
  renew(): void {
    const old = this._producer;
    this._producer = null;
    this.initialized = null;
    this.client = null;
    old?.disconnect().catch(() => undefined);
  }
}
