import { Logger } from '@nestjs/common';

/** The part of kafkajs' internal ConsumerGroup class (kafkajs 2.2.x) this module touches. */
export interface KafkajsConsumerGroup {
  groupId: string;
  memberId: string | null;
  joinAndSync: (this: KafkajsConsumerGroup) => Promise<void>;
  leave: (this: KafkajsConsumerGroup) => Promise<void>;
}

type ConsumerGroupClass = { prototype: KafkajsConsumerGroup };

const PATCHED = Symbol.for('eyego.memberIdCarryOver');

/**
 * Keeps a consumer's group member id across kafkajs consumer restarts.
 *
 * Why: kafkajs restarts its consumer after a crash (for example "No broker available" during a
 * broker restart) by building a new ConsumerGroup whose member id is empty; its LeaveGroup could
 * not reach the broker, so the coordinator still lists the old member. A fresh member then waits
 * until the old one's session expires (KAFKA_SESSION_TIMEOUT_MS, the spec's 30 s) before the group
 * settles, and the consumer is not ready for that long. kafkajs has no static membership
 * (group.instance.id), so instead the member id of the last successful join is offered on the
 * first join of the next ConsumerGroup of the same group in this process: the coordinator
 * recognises the member and the group settles at once.
 *
 * Safe by construction: if the coordinator no longer knows the id, JoinGroup answers
 * UNKNOWN_MEMBER_ID, kafkajs clears it and joins as a new member (its own handling). A graceful
 * leave forgets the id. It only applies to groups registered with {@link carryMemberIdFor}, and
 * only while exactly one consumer of that group is registered in the process: two live consumers
 * must never share an id. kafkajs awaits the crashed consumer's disconnect before it starts the
 * next one, so the two never overlap.
 */
export class MemberIdCarryOver {
  private readonly logger = new Logger('MemberIdCarryOver');
  private readonly registered = new Map<string, number>();
  private readonly lastMemberId = new Map<string, string>();
  private readonly joinedOnce = new WeakSet<KafkajsConsumerGroup>();

  /** Wraps joinAndSync and leave of the given ConsumerGroup class, once. */
  install(consumerGroupClass: ConsumerGroupClass): void {
    const proto = consumerGroupClass.prototype as KafkajsConsumerGroup & { [PATCHED]?: boolean };
    if (proto[PATCHED]) return;
    proto[PATCHED] = true;
    const joinAndSync = proto.joinAndSync;
    const leave = proto.leave;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const carry = this;
    proto.joinAndSync = async function (this: KafkajsConsumerGroup): Promise<void> {
      carry.beforeJoin(this);
      await joinAndSync.call(this);
      carry.afterJoin(this);
    };
    proto.leave = async function (this: KafkajsConsumerGroup): Promise<void> {
      await leave.call(this);
      // Reached only when LeaveGroup succeeded (or there was nothing to leave).
      carry.lastMemberId.delete(this.groupId);
    };
  }

  /** Starts carrying the member id for one group; returns the function that stops it. */
  register(groupId: string): () => void {
    this.registered.set(groupId, (this.registered.get(groupId) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.registered.get(groupId) ?? 1) - 1;
      if (left > 0) this.registered.set(groupId, left);
      else this.registered.delete(groupId);
      this.lastMemberId.delete(groupId);
    };
  }

  /** The id the next fresh ConsumerGroup of the group will offer, if any. */
  carried(groupId: string): string | undefined {
    return this.applies(groupId) ? this.lastMemberId.get(groupId) : undefined;
  }

  private applies(groupId: string): boolean {
    return this.registered.get(groupId) === 1;
  }

  private beforeJoin(group: KafkajsConsumerGroup): void {
    if (group.memberId || this.joinedOnce.has(group)) return;
    const memberId = this.carried(group.groupId);
    if (!memberId) return;
    group.memberId = memberId;
    this.logger.log({ msg: 'rejoining the group with the previous member id', memberId });
  }

  private afterJoin(group: KafkajsConsumerGroup): void {
    this.joinedOnce.add(group);
    if (group.memberId && this.applies(group.groupId))
      this.lastMemberId.set(group.groupId, group.memberId);
  }
}

/** The process-wide carry-over, installed on kafkajs' ConsumerGroup on first use. */
let shared: MemberIdCarryOver | undefined;

export function carryMemberIdFor(groupId: string): () => void {
  if (!shared) {
    shared = new MemberIdCarryOver();
    // An internal kafkajs module: the version is pinned in package.json and the unit spec runs
    // against this very class, so an upgrade that changes it fails the tests, not production.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    shared.install(require('kafkajs/src/consumer/consumerGroup') as ConsumerGroupClass);
  }
  return shared.register(groupId);
}
