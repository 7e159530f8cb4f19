import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { GroupMembership } from '../transport/group-membership';

/** Ready only while this instance is a member of its consumer group (it gets partitions). */
@Injectable()
export class ConsumerGroupHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly membership: GroupMembership,
  ) {}

  isHealthy(key: string): HealthIndicatorResult {
    const indicator = this.health.check(key);
    if (this.membership.isJoined()) return indicator.up();
    const reason = this.membership.lastError();
    return indicator.down({
      message: reason
        ? `not a member of the consumer group: ${reason}`
        : 'not a member of the consumer group yet',
    });
  }
}
