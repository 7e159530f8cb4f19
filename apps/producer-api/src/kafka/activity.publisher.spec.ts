import type { Message, RecordMetadata } from 'kafkajs';
import type { OutgoingRecord, ValueCodec } from '@app/contracts';
import type { KafkaAdmin, TopicProvisioning } from '@app/kafka-admin';
import { loadProducerApiConfig } from '../config/producer-api.config';
import type { ActivityKafkaClient } from './activity-kafka.client';
import { ActivityPublisher, BrokerUnavailableError } from './activity.publisher';

/** A lane's client: records each produce call, answers each partition's next offset. */
class FakeClient {
  readonly calls: Message[][] = [];
  inFlight = 0;
  maxInFlightSeen = 0;
  renewed = 0;
  failNext = false;
  readonly fenced = null;
  readonly lanes: FakeClient[] = [];
  private readonly next = new Map<number, number>();

  constructor(private readonly shared: { inFlight: number; max: number }) {}

  lane(): FakeClient {
    const sibling = new FakeClient(this.shared);
    this.lanes.push(sibling);
    return sibling;
  }
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  renew(): void {
    this.renewed += 1;
  }
  async sendBatch(_topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    this.calls.push(messages);
    this.shared.inFlight += 1;
    this.shared.max = Math.max(this.shared.max, this.shared.inFlight);
    await new Promise((r) => setTimeout(r, 20));
    this.shared.inFlight -= 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection lost before the answer');
    }
    const partitions = [...new Set(messages.map((m) => m.partition ?? -1))];
    return partitions.map((partition) => {
      const base = this.next.get(partition) ?? 0;
      this.next.set(partition, base + messages.filter((m) => m.partition === partition).length);
      return { topicName: 't', partition, errorCode: 0, baseOffset: String(base) };
    });
  }
}

const records = (n: number): OutgoingRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `user-${i}`,
    value: Buffer.from(`v${i}`),
    headers: {},
  }));

function publisherWith(lanes: number) {
  const shared = { inFlight: 0, max: 0 };
  const client = new FakeClient(shared);
  const admin = {
    connect: async () => ({
      fetchTopicMetadata: async () => ({ topics: [{ partitions: [{}, {}, {}] }] }),
    }),
  };
  const publisher = new ActivityPublisher(
    loadProducerApiConfig({ PRODUCER_LANES: String(lanes) }),
    client as unknown as ActivityKafkaClient,
    admin as unknown as KafkaAdmin,
    { ensure: async () => undefined } as unknown as TopicProvisioning,
    {} as ValueCodec,
  );
  return { publisher, client, shared };
}

describe('ActivityPublisher with producer lanes', () => {
  it('sends each partition through its own lane, in parallel, and answers in the request order', async () => {
    const { publisher, client, shared } = publisherWith(3);
    const sent = records(30);
    const answers = await Promise.all([publisher.publish(sent), publisher.publish(records(9))]);
    const all = [client, ...client.lanes];
    expect(client.lanes).toHaveLength(2);
    // Every lane sent only its own partition, and all three were in flight at once.
    all.forEach((lane, n) => {
      const partitions = new Set(lane.calls.flat().map((m) => m.partition));
      expect([...partitions].every((p) => (p ?? -1) % 3 === n)).toBe(true);
    });
    expect(shared.max).toBe(3);
    // Each answer names the partition its record went to, in the order of the request.
    const byKey = new Map(
      all.flatMap((l) => l.calls.flat()).map((m) => [String(m.key), m.partition]),
    );
    answers[0].forEach((a, i) => expect(a.partition).toBe(byKey.get(`user-${i}`)));
    // Offsets count up within a partition across requests.
    const offsets = answers.flat().filter((a) => a.partition === answers[0][0].partition);
    expect(new Set(offsets.map((a) => a.offset)).size).toBe(offsets.length);
  });

  it('renews only the failed lane’s producer and answers that request 503', async () => {
    const { publisher, client } = publisherWith(3);
    await publisher.publish(records(30));
    client.lanes[0].failNext = true;
    await expect(publisher.publish(records(30))).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(client.lanes[0].renewed).toBe(1);
    expect(client.renewed + client.lanes[1].renewed).toBe(0);
    await expect(publisher.publish(records(30))).resolves.toHaveLength(30);
  });

  it('with one lane keeps one produce call at a time', async () => {
    const { publisher, client, shared } = publisherWith(1);
    await Promise.all([publisher.publish(records(10)), publisher.publish(records(10))]);
    expect(client.lanes).toHaveLength(0);
    expect(shared.max).toBe(1);
  });
});
