import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { PartitionMetadata, Partitioners } from 'kafkajs';
import { OutgoingRecord, ValueCodec } from '@app/contracts';
import { KafkaAdmin, TopicProvisioning, kafkaConfigurationProblem } from '@app/kafka-admin';
import { ProducerApiConfig } from '../config/producer-api.config';
import { ACTIVITY_KAFKA_CLIENT, ActivityKafkaClient } from './activity-kafka.client';
import { PublishedRecord, QueueFullError, SerialSender, assignOffsets } from './serial-sender';

export type { PublishedRecord } from './serial-sender';

/** The broker did not acknowledge in time or could not be reached; the caller answers 503. */
export class BrokerUnavailableError extends Error {}

/** Too much waits for Kafka already; the caller sheds (503 OVERLOADED). */
export class PublisherOverloadedError extends Error {}

/** How long a partition count is used (shorter with KAFKA_METADATA_MAX_AGE_MS below it). */
const PARTITION_CACHE_MS = 30_000;
/** Pause between connection attempts while Kafka is unreachable and no request is waiting. */
const RECONNECT_INTERVAL_MS = 2_000;
/** Records merged into one produce call at most (a batch request is never split). */
export const MAX_RECORDS_PER_SEND = 2_000;

/**
 * The only place the producer-api talks to Kafka, through Nest's Kafka client. Records are sent
 * with acks=all through an idempotent producer, one produce call at a time (SerialSender explains
 * why), and each record's partition is chosen here with Kafka's default (murmur2) partitioner so
 * that the answer can name the exact partition and offset of every event. Kafka may be down at
 * boot or later: the API keeps serving (503s) and reconnects by itself.
 */
@Injectable()
export class ActivityPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ActivityPublisher.name);
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly sender: SerialSender;
  private partitionCount?: { value: number; at: number };
  private metadataCache?: PartitionMetadata[];
  private reconnectTimer?: NodeJS.Timeout;
  private closing = false;
  private fencingLogged = false;

  constructor(
    private readonly config: ProducerApiConfig,
    @Inject(ACTIVITY_KAFKA_CLIENT) private readonly client: ActivityKafkaClient,
    private readonly admin: KafkaAdmin,
    private readonly topics: TopicProvisioning,
    private readonly codec: ValueCodec,
  ) {
    this.sender = new SerialSender({
      send: (records) => this.produce(records),
      onFailure: (error) => this.renewProducer(error),
      timeoutMs: config.producer.sendTimeoutMs,
      maxRecordsPerSend: MAX_RECORDS_PER_SEND,
      maxPendingRecords: config.producer.maxPendingRecords,
    });
  }

  get topic(): string {
    return this.config.kafka.topics.activity.name;
  }

  /**
   * Avro registers its schema first (an unreachable registry stops the app, named). Kafka is not
   * awaited: without it the app still starts (not ready) and connects later.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.producer.idempotent) {
      this.logger.warn({
        msg: 'PRODUCER_IDEMPOTENT=false: the broker no longer drops the copies of a retried send, so Kafka may hold an event twice (the consumer still stores it once, by eventId)',
      });
    }
    await this.codec.prepare();
    this.connectInBackground();
  }

  async onModuleDestroy(): Promise<void> {
    // The HTTP server has stopped accepting (see createHttpApp); let the last sends finish. The
    // client itself is closed by ClientsModule on application shutdown.
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const deadline = Date.now() + this.config.producer.sendTimeoutMs;
    while (!this.sender.idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Resolves once the broker acknowledged all the records (acks=all). */
  async publish(records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    if (this.closing) throw new BrokerUnavailableError('the API is shutting down');
    try {
      return await this.sender.enqueue(records);
    } catch (error) {
      if (error instanceof QueueFullError) throw new PublisherOverloadedError(error.message);
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
    const acks = await this.client.sendBatch(this.topic, messages);
    return assignOffsets(messages, acks);
  }

  /** Why this instance cannot publish at all (readiness reports it), or null. */
  get unavailableReason(): string | null {
    return this.client.fenced?.message ?? null;
  }

  /** After a failed send the producer's sequence numbers cannot be trusted: start a new one. */
  private renewProducer(error: Error): void {
    const fenced = this.client.fenced;
    if (fenced) {
      // A new producer would fence the other instance in turn: this one stops publishing instead.
      if (!this.fencingLogged) this.logger.error({ msg: 'producer fenced', error: fenced.message });
      this.fencingLogged = true;
      return;
    }
    this.client.renew();
    this.logger.warn({
      msg: 'produce failed; continuing with a new producer id',
      error: error.message,
    });
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

  /** Topics provisioned (once) and the producer connected; both retried by the next caller. */
  private async ensureReady(): Promise<void> {
    await this.topics.ensure();
    await this.client.connect();
  }

  private async partitionsOf(topic: string): Promise<number> {
    // After a partition increase, new partitions get records once this expires.
    const maxAge = Math.min(
      PARTITION_CACHE_MS,
      this.config.kafka.connection.metadataMaxAgeMs ?? PARTITION_CACHE_MS,
    );
    if (this.partitionCount && Date.now() - this.partitionCount.at < maxAge)
      return this.partitionCount.value;
    const admin = await this.admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const value = topics[0]?.partitions.length ?? 0;
    if (value === 0) throw new Error(`topic ${topic} has no partitions (is it provisioned?)`);
    this.partitionCount = { value, at: Date.now() };
    return value;
  }
}
