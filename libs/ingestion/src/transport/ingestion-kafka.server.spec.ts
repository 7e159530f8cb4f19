import { EventEmitter } from 'node:events';
import { ConsumerHandle } from './consumer-handle';
import { GroupMembership } from './group-membership';
import { IngestionKafkaServer } from './ingestion-kafka.server';
import { ACTIVITY_RECORDS_PATTERN } from './ingestion-topic';

const EVENTS = {
  GROUP_JOIN: 'join',
  REBALANCING: 'rebal',
  CRASH: 'crash',
  DISCONNECT: 'disc',
  STOP: 'stop',
  CONNECT: 'conn',
};

/** Just enough of a kafkajs consumer to see what the server does with it. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  connect = jest.fn(async () => undefined);
  disconnect = jest.fn(async () => undefined);
  subscribe = jest.fn(async () => undefined);
  run = jest.fn(async () => undefined);
  crash(restart: boolean): void {
    this.emit(EVENTS.CRASH, {
      payload: { error: new Error('Failed to find group coordinator'), restart },
    });
  }
}

describe('IngestionKafkaServer', () => {
  let consumers: FakeConsumer[];
  let server: IngestionKafkaServer;

  beforeEach(async () => {
    jest.useFakeTimers();
    consumers = [];
    server = new IngestionKafkaServer(
      { client: { brokers: ['127.0.0.1:9092'] }, consumer: { groupId: 'g' }, postfixId: '' },
      new ConsumerHandle(new GroupMembership()),
      'prefix.user-activity-logs',
    );
    const client = {
      consumer: () => consumers[consumers.push(new FakeConsumer()) - 1],
      producer: () => new FakeConsumer(),
    };
    Object.assign(server, { client, consumer: client.consumer() });
    (
      server as unknown as { registerConsumerEventListeners(): void }
    ).registerConsumerEventListeners();
    await Promise.resolve();
  });

  afterEach(() => jest.useRealTimers());

  it('starts a fresh consumer when kafkajs gives up after a non-retriable crash', async () => {
    consumers[0].crash(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(consumers).toHaveLength(2);
    expect(consumers[0].disconnect).toHaveBeenCalled();
    expect(consumers[1].connect).toHaveBeenCalled();
    expect(consumers[1].run).toHaveBeenCalled();
  });

  it('subscribes to the configured topic and routes its records to the engine handler', async () => {
    await server.bindEvents(consumers[0] as never);
    expect(consumers[0].subscribe).toHaveBeenCalledWith(
      expect.objectContaining({ topics: ['prefix.user-activity-logs'] }),
    );
    const route = (
      server as unknown as { getRouteFromPattern(p: string): string }
    ).getRouteFromPattern('prefix.user-activity-logs');
    expect(route).toBe(ACTIVITY_RECORDS_PATTERN);
  });

  it('leaves restarts to kafkajs when it restarts by itself', async () => {
    consumers[0].crash(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
  });

  it('does not restart while the app is closing', async () => {
    await server.close();
    consumers[0].crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
  });
});
