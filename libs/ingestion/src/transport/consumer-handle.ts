import { Injectable, Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { GroupMembership } from './group-membership';

export interface ConsumerListener {
  /** The group started rebalancing: flush what can be flushed. */
  onRebalancing(): void;
  /** The group was (re)joined with this assignment. */
  onAssigned(assignment: Record<string, number[]>): void;
}

/**
 * The only place that touches the kafkajs consumer Nest's transport created: commits, pause/resume,
 * heartbeats and group events. The engine works through it and never sees kafkajs.
 */
@Injectable()
export class ConsumerHandle {
  private readonly logger = new Logger(ConsumerHandle.name);
  private consumer: Consumer | null = null;
  private heartbeatFn: (() => Promise<void>) | null = null;
  private listener: ConsumerListener | null = null;

  constructor(private readonly membership: GroupMembership) {}

  setListener(listener: ConsumerListener): void {
    this.listener = listener;
  }

  /** Called by the transport as soon as it created the consumer, before it joins the group. */
  attach(consumer: Consumer): void {
    this.consumer = consumer;
    const { GROUP_JOIN, REBALANCING, CRASH, DISCONNECT, STOP } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.membership.markJoined(payload.memberAssignment);
      this.logger.log({ msg: 'joined the group', assignment: payload.memberAssignment });
      this.listener?.onAssigned(payload.memberAssignment);
    });
    consumer.on(REBALANCING, () => {
      this.logger.log({ msg: 'group rebalancing' });
      this.listener?.onRebalancing();
    });
    consumer.on(CRASH, ({ payload }) => {
      this.membership.markLeft('crashed', payload.error.message);
      // kafkajs restarts after a retriable error (a coordinator still loading at boot, a broker
      // restart); otherwise IngestionKafkaServer starts a new consumer. Neither loses records.
      const line = {
        msg: payload.restart
          ? 'consumer stopped on a retriable error; kafkajs restarts it'
          : 'consumer stopped; starting a new one',
        error: payload.error.message,
        restart: payload.restart,
      };
      if (payload.restart) this.logger.log(line);
      else this.logger.warn(line);
    });
    consumer.on(DISCONNECT, () => this.membership.markLeft('disconnected'));
    consumer.on(STOP, () => this.membership.markLeft('stopped'));
  }

  /** Remembers the latest heartbeat function (it stays valid between messages). */
  useHeartbeat(heartbeat: () => Promise<void>): void {
    this.heartbeatFn = heartbeat;
  }

  async heartbeat(): Promise<void> {
    try {
      await this.heartbeatFn?.();
    } catch (error) {
      // A rebalance in progress is reported here too; kafkajs' own loop rejoins.
      this.logger.debug({ msg: 'heartbeat failed', error: String(error) });
    }
  }

  async commit(topic: string, partition: number, nextOffset: string): Promise<void> {
    if (!this.consumer) throw new Error('the Kafka consumer is not attached');
    await this.consumer.commitOffsets([{ topic, partition, offset: nextOffset }]);
  }

  /** Makes the consumer read the partition again from `offset`. */
  seek(topic: string, partition: number, offset: string): void {
    this.consumer?.seek({ topic, partition, offset });
  }

  pause(topic: string, partitions?: number[]): void {
    this.consumer?.pause([{ topic, partitions }]);
  }

  resume(topic: string, partitions?: number[]): void {
    this.consumer?.resume([{ topic, partitions }]);
  }
}
