import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Admin, CompressionTypes, Kafka, Partitioners, Producer, logLevel } from 'kafkajs';
import { OutgoingRecord } from '@app/contracts';
import { TopicProvisioner, buildKafkaConfig } from '@app/kafka-admin';
import { ProducerApiConfig } from '../config/producer-api.config';

export interface PublishedRecord {
  partition: number;
  offset: string;
}

/** The broker did not acknowledge in time or could not be reached; the caller answers 503. */
export class BrokerUnavailableError extends Error {}

const COMPRESSION: Record<ProducerApiConfig['producer']['compression'], CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

const PARTITION_CACHE_MS = 30_000;

/**
 * The only place the producer-api talks to Kafka. Records are sent with acks=all through an
 * idempotent producer; each record's partition is chosen here with Kafka's default (murmur2)
 * partitioner so that the answer can name the exact partition and offset of every event.
 */
@Injectable()
export class ActivityPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ActivityPublisher.name);
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  readonly admin: Admin;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private partitionCount?: { value: number; at: number };
  private connected?: Promise<void>;

  constructor(private readonly config: ProducerApiConfig) {
    this.kafka = new Kafka({
      ...buildKafkaConfig(config.kafka.connection, config.producer.clientId),
      logLevel: logLevel.WARN,
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: config.kafka.connection.retry,
    });
    this.admin = this.kafka.admin();
  }

  get topic(): string {
    return this.config.kafka.topics.activity.name;
  }

  async onModuleInit(): Promise<void> {
    await this.admin.connect();
    if (this.config.kafka.provisionTopics) {
      await new TopicProvisioner(this.admin, this.logger).provision(
        Object.values(this.config.kafka.topics),
      );
    }
    await this.ensureConnected();
  }

  async onModuleDestroy(): Promise<void> {
    // Nest calls this after the HTTP server stopped accepting; in-flight sends finish first.
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  /** Sends the records in one produce request; resolves once the broker acknowledged all. */
  async publish(records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    const deadline = this.config.producer.sendTimeoutMs;
    const work = (async () => {
      await this.ensureConnected();
      const partitions = await this.partitionsOf(this.topic);
      const messages = records.map((r) => ({
        ...r,
        partition: this.partitioner({
          topic: this.topic,
          partitionMetadata: Array.from({ length: partitions }, (_, id) => ({
            partitionId: id,
            leader: 0,
            partitionErrorCode: 0,
            replicas: [0],
            isr: [0],
          })),
          message: { key: r.key, value: r.value },
        }),
      }));
      const acks = await this.producer.send({
        topic: this.topic,
        messages,
        acks: -1,
        compression: COMPRESSION[this.config.producer.compression],
        timeout: deadline,
      });
      // Offsets within one partition follow send order, starting at the partition's base offset.
      const next = new Map(acks.map((a) => [a.partition, BigInt(a.baseOffset ?? '0')]));
      return messages.map((m) => {
        const offset = next.get(m.partition) ?? 0n;
        next.set(m.partition, offset + 1n);
        return { partition: m.partition, offset: offset.toString() };
      });
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BrokerUnavailableError(`Kafka did not acknowledge within ${deadline} ms`)),
        deadline,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      if (error instanceof BrokerUnavailableError) throw error;
      this.connected = undefined;
      throw new BrokerUnavailableError(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }

  private ensureConnected(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  private async partitionsOf(topic: string): Promise<number> {
    if (this.partitionCount && Date.now() - this.partitionCount.at < PARTITION_CACHE_MS)
      return this.partitionCount.value;
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const value = topics[0]?.partitions.length ?? 0;
    if (value === 0) throw new Error(`topic ${topic} has no partitions (is it provisioned?)`);
    this.partitionCount = { value, at: Date.now() };
    return value;
  }
}
