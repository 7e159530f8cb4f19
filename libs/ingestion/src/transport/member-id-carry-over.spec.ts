import { KafkajsConsumerGroup, MemberIdCarryOver } from './member-id-carry-over';

/** A coordinator that knows some member ids, like the broker after a restart. */
class FakeCoordinator {
  readonly known = new Set<string>();
  readonly joinsWith: string[] = [];
  private next = 0;

  join(memberId: string): string {
    this.joinsWith.push(memberId);
    if (memberId && !this.known.has(memberId)) throw new Error('UNKNOWN_MEMBER_ID');
    const id = memberId || `member-${++this.next}`;
    this.known.add(id);
    return id;
  }
}

/** Mirrors what kafkajs' ConsumerGroup does with memberId in joinAndSync and leave. */
function fakeConsumerGroupClass(coordinator: FakeCoordinator, brokerUp: { value: boolean }) {
  return class FakeConsumerGroup implements KafkajsConsumerGroup {
    memberId: string | null = null;
    constructor(readonly groupId: string) {}

    async joinAndSync(): Promise<void> {
      await Promise.resolve();
      try {
        this.memberId = coordinator.join(this.memberId ?? '');
      } catch {
        // kafkajs: UNKNOWN_MEMBER_ID clears the id and the retrier joins again.
        this.memberId = null;
        this.memberId = coordinator.join('');
      }
    }

    async leave(): Promise<void> {
      await Promise.resolve();
      if (!this.memberId) return;
      if (!brokerUp.value) throw new Error('Connection error');
      coordinator.known.delete(this.memberId);
      this.memberId = null;
    }
  };
}

describe('MemberIdCarryOver', () => {
  let coordinator: FakeCoordinator;
  let brokerUp: { value: boolean };
  let Group: ReturnType<typeof fakeConsumerGroupClass>;
  let carry: MemberIdCarryOver;

  beforeEach(() => {
    coordinator = new FakeCoordinator();
    brokerUp = { value: true };
    Group = fakeConsumerGroupClass(coordinator, brokerUp);
    carry = new MemberIdCarryOver();
    carry.install(Group);
  });

  it('offers the previous member id when kafkajs restarts after a leave that could not reach the broker', async () => {
    carry.register('g');
    const first = new Group('g');
    await first.joinAndSync();
    brokerUp.value = false;
    await expect(first.leave()).rejects.toThrow('Connection error');
    brokerUp.value = true;

    const second = new Group('g');
    await second.joinAndSync();
    expect(second.memberId).toBe(first.memberId);
    expect(coordinator.joinsWith).toEqual(['', 'member-1']);
  });

  it('falls back to a new member when the coordinator no longer knows the id', async () => {
    carry.register('g');
    const first = new Group('g');
    await first.joinAndSync();
    coordinator.known.clear(); // the old member's session expired meanwhile
    const second = new Group('g');
    await second.joinAndSync();
    expect(second.memberId).toBe('member-2');
    expect(carry.carried('g')).toBe('member-2');
  });

  it('forgets the id after a graceful leave', async () => {
    carry.register('g');
    const first = new Group('g');
    await first.joinAndSync();
    await first.leave();
    expect(carry.carried('g')).toBeUndefined();
    const second = new Group('g');
    await second.joinAndSync();
    expect(coordinator.joinsWith).toEqual(['', '']);
    expect(second.memberId).toBe('member-2');
  });

  it('leaves a group that rejoins on its own (rebalance) to kafkajs', async () => {
    carry.register('g');
    const group = new Group('g');
    await group.joinAndSync();
    group.memberId = null; // kafkajs after UNKNOWN_MEMBER_ID during a fetch
    await group.joinAndSync();
    expect(coordinator.joinsWith).toEqual(['', '']);
  });

  it('does nothing for groups that are not registered', async () => {
    const first = new Group('other');
    await first.joinAndSync();
    brokerUp.value = false;
    await first.leave().catch(() => undefined);
    const second = new Group('other');
    await second.joinAndSync();
    expect(second.memberId).not.toBe(first.memberId);
  });

  it('never hands one id to two consumers of the same group in one process', async () => {
    carry.register('g');
    const stopSecond = carry.register('g');
    const a = new Group('g');
    await a.joinAndSync();
    const b = new Group('g');
    await b.joinAndSync();
    expect(b.memberId).not.toBe(a.memberId);
    expect(carry.carried('g')).toBeUndefined();
    stopSecond();
    stopSecond(); // idempotent
    const c = new Group('g');
    await c.joinAndSync();
    expect(carry.carried('g')).toBe(c.memberId);
  });

  it('installs once per class', async () => {
    carry.install(Group);
    new MemberIdCarryOver().install(Group);
    carry.register('g');
    const group = new Group('g');
    await group.joinAndSync();
    expect(coordinator.joinsWith).toEqual(['']);
  });

  it("matches kafkajs' own ConsumerGroup: the methods it wraps exist on the pinned version", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const real = require('kafkajs/src/consumer/consumerGroup') as {
      prototype: Record<string, unknown>;
    };
    expect(typeof real.prototype.joinAndSync).toBe('function');
    expect(typeof real.prototype.leave).toBe('function');
    expect(String(real.prototype.leave)).toContain('this.memberId = null');
  });
});
