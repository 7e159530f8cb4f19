import { Logger } from '@nestjs/common';
import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { Consumer } from 'kafkajs';
import { ConsumerHandle } from './consumer-handle';
import { ACTIVITY_RECORDS_PATTERN } from './ingestion-topic';
import { carryMemberIdFor } from './member-id-carry-over';

const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;

/**
 * Nest's Kafka server for one topic and group, plus what it lacks: the configured topic is mapped
 * onto the engine's fixed handler pattern (see ingestion-topic.ts); the consumer's group events (join, rebalance,
 * crash) reach the ingestion service, registered before the consumer first joins the group; and a
 * consumer that kafkajs gave up on is started again. kafkajs restarts itself only after errors it
 * calls retriable; a broker outage can end in "Failed to find group coordinator", which it does
 * not, and the process would then keep serving HTTP while consuming nothing. Across both kinds of
 * restart the group member id is kept (see member-id-carry-over.ts), so the group settles at once
 * after a broker restart instead of after the old member's session timeout.
 */
export class IngestionKafkaServer extends ServerKafka {
  private readonly restartLogger = new Logger('IngestionKafkaServer');
  private closing = false;
  private restartDelayMs = RESTART_MIN_MS;
  private restartTimer?: NodeJS.Timeout;
  private readonly stopCarryingMemberId: () => void;
  private readonly routes = new Map<string, string>();

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly handle: ConsumerHandle,
    /** The topic to consume; its records reach the handler of ACTIVITY_RECORDS_PATTERN. */
    readonly topic: string,
  ) {
    super(options);
    this.stopCarryingMemberId = carryMemberIdFor(this.groupId);
  }

  /** Subscribes to the configured topic (Nest would subscribe to the handlers' pattern names). */
  override async bindEvents(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ ...this.options.subscribe, topics: [this.topic] });
    await consumer.run({ ...this.options.run, eachMessage: this.getMessageHandler() });
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    this.handle.attach(consumer);
    consumer.on(consumer.events.GROUP_JOIN, () => (this.restartDelayMs = RESTART_MIN_MS));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.closing) this.scheduleRestart();
    });
  }

  /**
   * Nest resolves the handler twice per record, each time trying JSON.parse on the topic name,
   * which throws for a plain name: building that exception cost about 14 % of the consumer's CPU
   * in the bench profile. The route of a pattern never changes, so it is computed once.
   */
  protected override getRouteFromPattern(pattern: string): string {
    if (pattern === this.topic) return ACTIVITY_RECORDS_PATTERN;
    let route = this.routes.get(pattern);
    if (route === undefined) {
      route = super.getRouteFromPattern(pattern);
      if (this.routes.size < 1000) this.routes.set(pattern, route);
    }
    return route;
  }

  override async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    await super.close();
    this.stopCarryingMemberId();
  }

  private scheduleRestart(): void {
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_MAX_MS, delayMs * 2);
    this.restartLogger.warn({ msg: 'the Kafka consumer stopped; starting it again', delayMs });
    this.restartTimer = setTimeout(() => void this.restartConsumer(), delayMs);
  }

  /** A fresh kafkajs consumer with the same group, subscriptions and handler. */
  private async restartConsumer(): Promise<void> {
    if (this.closing || !this.client) return;
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = this.client.consumer({ ...this.options.consumer, groupId: this.groupId });
    this.registerConsumerEventListeners();
    try {
      await this.consumer.connect();
      await this.bindEvents(this.consumer);
    } catch (error) {
      this.restartLogger.error({
        msg: 'restarting the Kafka consumer failed',
        error: String(error),
      });
      if (!this.closing) this.scheduleRestart();
    }
  }
}
