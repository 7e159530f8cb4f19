import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  Admin,
  CompressionTypes,
  Kafka,
  PartitionMetadata,
  Partitioners,
  Producer,
  logLevel,
} from 'kafkajs';
import { OutgoingRecord } from '@app/contracts';
import { TopicProvisioner, buildKafkaConfig, kafkaConfigurationProblem } from '@app/kafka-admin';
import { kafkaLogCreator } from '@app/platform';
import { ProducerApiConfig } from '../config/producer-api.config';
import { ensureCompressionCodec } from './compression';
import { PublishedRecord, SerialSender, assignOffsets } from './serial-sender';

export type { PublishedRecord } from './serial-sender';

/** The broker did not acknowledge in time or could not be reached; the caller answers 503. */
export class BrokerUnavailableError extends Error {}

const PARTITION_CACHE_MS = 30_000;
/** Pause between connection attempts while Kafka is unreachable and no request is waiting. */
const RECONNECT_INTERVAL_MS = 2_000;
/** Records merged into one produce call at most (a batch request is never split). */
const MAX_RECORDS_PER_SEND = 2_000;

/**
 * The only place the producer-api talks to Kafka. Records are sent with acks=all through an
 * idempotent producer, one produce call at a time (SerialSender explains why), and each record's
 * partition is chosen here with Kafka's default (murmur2) partitioner so that the answer can name
 * the exact partition and offset of every event. Kafka may be down at boot or later: the API keeps
 * serving (503s) and reconnects by itself.
 */
@Injectable()
export class ActivityPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ActivityPublisher.name);
  private readonly kafka: Kafka;
  private producer: Producer;
  readonly admin: Admin;
  private readonly compression: CompressionTypes;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly sender: SerialSender;
  private partitionCount?: { value: number; at: number };
  private metadataCache?: PartitionMetadata[];
  private ready?: Promise<void>;
  private provisioned = false;
  private reconnectTimer?: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly config: ProducerApiConfig) {
    this.compression = ensureCompressionCodec(config.producer.compression);
    this.kafka = new Kafka({
      ...buildKafkaConfig(config.kafka.connection, config.producer.clientId),
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator,
    });
    this.producer = this.newProducer();
    this.admin = this.kafka.admin();
    this.sender = new SerialSender({
      send: (records) => this.produce(records),
      onFailure: (error) => this.replaceProducer(error),
      timeoutMs: config.producer.sendTimeoutMs,
      maxRecordsPerSend: MAX_RECORDS_PER_SEND,
    });
  }

  get topic(): string {
    return this.config.kafka.topics.activity.name;
  }

  /** Not awaited: with Kafka down the app still starts (not ready) and connects later. */
  onModuleInit(): void {
    this.connectInBackground();
  }

  async onModuleDestroy(): Promise<void> {
    // The HTTP server has stopped accepting (see createHttpApp); let the last sends finish.
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const deadline = Date.now() + this.config.producer.sendTimeoutMs;
    while (!this.sender.idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  /** Resolves once the broker acknowledged all the records (acks=all). */
  async publish(records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    if (this.closing) throw new BrokerUnavailableError('the API is shutting down');
    try {
      return await this.sender.enqueue(records);
    } catch (error) {
      throw new BrokerUnavailableError(error instanceof Error ? error.message : String(error));
    }
  }

  /** One produce call; runs inside SerialSender's deadline, connecting first if needed. */
  private async produce(records: OutgoingRecord[]): Promise<PublishedRecord[]> {
    await this.ensureReady();
    const partitions = await this.partitionsOf(this.topic);
    const metadata = this.partitionMetadata(partitions);
    const messages = records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      partition: this.partitioner({ topic: this.topic, partitionMetadata: metadata, message: r }),
    }));
    const acks = await this.producer.send({
      topic: this.topic,
      messages,
      acks: -1,
      compression: this.compression,
      timeout: this.config.producer.sendTimeoutMs,
    });
    return assignOffsets(messages, acks);
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: this.config.producer.idempotent,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: this.config.kafka.connection.retry,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** After a failed send the producer's sequence numbers cannot be trusted: start a new one. */
  private replaceProducer(error: Error): void {
    const old = this.producer;
    this.producer = this.newProducer();
    this.ready = undefined;
    this.logger.warn({
      msg: 'produce failed; continuing with a new producer id',
      error: error.message,
    });
    old.disconnect().catch(() => undefined);
  }

  /** What the default partitioner reads of the topic: the partition ids (built once per count). */
  private partitionMetadata(partitions: number): PartitionMetadata[] {
    if (this.metadataCache?.length !== partitions) {
      this.metadataCache = Array.from({ length: partitions }, (_, id) => ({
        partitionId: id,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      }));
    }
    return this.metadataCache;
  }

  private connectInBackground(): void {
    this.ensureReady().then(
      () => this.logger.log({ msg: 'connected to Kafka', topic: this.topic }),
      (error: unknown) => {
        if (this.closing) return;
        const problem = kafkaConfigurationProblem(error);
        if (problem) {
          // Wrong credentials or TLS settings: waiting will not help, so stop and say why.
          this.logger.fatal({
            msg: 'cannot connect to Kafka with this configuration',
            error: problem,
          });
          process.exit(1);
        }
        this.logger.warn({
          msg: 'Kafka is not reachable yet; retrying',
          error: error instanceof Error ? error.message : String(error),
        });
        this.reconnectTimer = setTimeout(() => this.connectInBackground(), RECONNECT_INTERVAL_MS);
      },
    );
  }

  /** Connects (and provisions, once); a failure clears the memo so the next caller tries again. */
  private ensureReady(): Promise<void> {
    this.ready ??= (async () => {
      await this.admin.connect();
      if (this.config.kafka.provisionTopics && !this.provisioned) {
        await new TopicProvisioner(this.admin, this.logger).provision(
          Object.values(this.config.kafka.topics),
        );
        this.provisioned = true;
      }
      await this.producer.connect();
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
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
