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
import { linearGroupingInstalled } from './partition-grouping';
import {
  PartitionedRecord,
  PublishedRecord,
  QueueFullError,
  SerialSender,
  assignOffsets,
} from './serial-sender';

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

/** One serial sender and the producer it alone uses. */
interface Lane {
  client: ActivityKafkaClient;
  sender: SerialSender;
}

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
  /** Lane 0 is the Nest-registered client; more lanes (PRODUCER_LANES) are its siblings. */
  private readonly lanes: Lane[];
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
    const { lanes, maxPendingRecords, sendTimeoutMs } = config.producer;
    this.lanes = Array.from({ length: lanes }, (_, n) => {
      const laneClient = n === 0 ? client : client.lane(n);
      const sender = new SerialSender({
        send: (records) => this.produce(laneClient, records),
        onFailure: (error) => this.renewProducer(laneClient, error),
        timeoutMs: sendTimeoutMs,
        maxRecordsPerSend: MAX_RECORDS_PER_SEND,
        // The bound is the instance's: each lane holds its share.
        maxPendingRecords: Math.ceil(maxPendingRecords / lanes),
      });
      return { client: laneClient, sender };
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
    if (!linearGroupingInstalled()) {
      this.logger.warn({
        msg: "kafkajs groups each produce call's records the stock way (quadratic per partition): it was loaded before main.ts could replace it",
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
    const idle = () => this.lanes.every((l) => l.sender.idle);
    while (!idle() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // ClientsModule closes lane 0's client; the siblings are this class's.
    await Promise.all(this.lanes.slice(1).map((l) => l.client.close().catch(() => undefined)));
  }

  /** Resolves once the broker acknowledged all the records (acks=all). */
  async publish(records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    if (this.closing) throw new BrokerUnavailableError('the API is shutting down');
    try {
      if (this.lanes.length === 1) return await this.lanes[0].sender.enqueue(records);
      return await this.publishInLanes(records);
    } catch (error) {
      if (error instanceof QueueFullError) throw new PublisherOverloadedError(error.message);
      throw new BrokerUnavailableError(error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Each record to the lane of its partition, every lane's part in its next produce call; the
   * request is answered once all its parts are acknowledged (or 503 if one fails: the parts
   * written are deduplicated by eventId when the client retries, as with one call's partitions).
   */
  private async publishInLanes(records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    const partitioned = this.partition(records, await this.partitionsWithin(this.topic));
    const parts = new Map<number, { records: PartitionedRecord[]; at: number[] }>();
    partitioned.forEach((record, at) => {
      const lane = record.partition % this.lanes.length;
      const part = parts.get(lane) ?? { records: [], at: [] };
      part.records.push(record);
      part.at.push(at);
      parts.set(lane, part);
    });
    const results: PublishedRecord[] = new Array<PublishedRecord>(records.length);
    await Promise.all(
      [...parts].map(async ([lane, part]) => {
        const published = await this.lanes[lane].sender.enqueue(part.records);
        published.forEach((p, i) => (results[part.at[i]] = p));
      }),
    );
    return results;
  }

  /** One produce call; runs inside SerialSender's deadline, connecting first if needed. */
  private async produce(
    client: ActivityKafkaClient,
    records: OutgoingRecord[],
  ): Promise<PublishedRecord[]> {
    await this.ensureReady(client);
    // Records of lanes come partitioned already; with one lane, the count is read here, inside
    // the send deadline.
    const messages = records.every(isPartitioned)
      ? records
      : this.partition(records, await this.partitionsOf(this.topic));
    const acks = await client.sendBatch(this.topic, messages);
    return assignOffsets(messages, acks);
  }

  private partition(records: readonly OutgoingRecord[], partitions: number): PartitionedRecord[] {
    const metadata = this.partitionMetadata(partitions);
    return records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      partition: this.partitioner({ topic: this.topic, partitionMetadata: metadata, message: r }),
    }));
  }

  /** The partition count, or a failure within the send deadline (Kafka unreachable). */
  private async partitionsWithin(topic: string): Promise<number> {
    if (this.partitionCount && Date.now() - this.partitionCount.at < this.partitionCacheMs)
      return this.partitionCount.value;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('the partition count could not be read in time')),
        this.config.producer.sendTimeoutMs,
      );
    });
    try {
      return await Promise.race([
        this.ensureReady(this.client).then(() => this.partitionsOf(topic)),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Records publish() takes now without refusing them (PRODUCER_MAX_PENDING_RECORDS, the
   * instance's bound, summed over the lanes). Asked before a request's body is read, so that an
   * API at its bound sheds without parsing what it would refuse.
   */
  get headroom(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.sender.headroom, 0);
  }

  /** Why this instance cannot publish at all (readiness reports it), or null. */
  get unavailableReason(): string | null {
    return this.client.fenced?.message ?? null;
  }

  /** After a failed send the producer's sequence numbers cannot be trusted: start a new one. */
  private renewProducer(client: ActivityKafkaClient, error: Error): void {
    const fenced = client.fenced;
    if (fenced) {
      // A new producer would fence the other instance in turn: this one stops publishing instead.
      if (!this.fencingLogged) this.logger.error({ msg: 'producer fenced', error: fenced.message });
      this.fencingLogged = true;
      return;
    }
    client.renew();
    this.logger.warn({
      msg: 'produce failed; continuing with a new producer id',
      error: error.message,
      ...(this.lanes.length > 1 ? { lane: this.lanes.findIndex((l) => l.client === client) } : {}),
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
  private async ensureReady(client = this.client): Promise<void> {
    await this.topics.ensure();
    await client.connect();
  }

  /** After a partition increase, new partitions get records once this expires. */
  private get partitionCacheMs(): number {
    return Math.min(
      PARTITION_CACHE_MS,
      this.config.kafka.connection.metadataMaxAgeMs ?? PARTITION_CACHE_MS,
    );
  }

  private async partitionsOf(topic: string): Promise<number> {
    if (this.partitionCount && Date.now() - this.partitionCount.at < this.partitionCacheMs)
      return this.partitionCount.value;
    const admin = await this.admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const value = topics[0]?.partitions.length ?? 0;
    if (value === 0) throw new Error(`topic ${topic} has no partitions (is it provisioned?)`);
    this.partitionCount = { value, at: Date.now() };
    return value;
  }
}

const isPartitioned = (record: OutgoingRecord): record is PartitionedRecord =>
  typeof (record as Partial<PartitionedRecord>).partition === 'number';
