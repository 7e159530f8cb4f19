import { HealthIndicatorService } from '@nestjs/terminus';
import { GroupMembership } from '../transport/group-membership';
import { ConsumerGroupHealthIndicator } from './group.health';

describe('ConsumerGroupHealthIndicator', () => {
  const setup = () => {
    const membership = new GroupMembership();
    return {
      membership,
      indicator: new ConsumerGroupHealthIndicator(new HealthIndicatorService(), membership),
    };
  };

  it('is down until the consumer has joined its group', () => {
    const { indicator } = setup();
    expect(indicator.isHealthy('consumerGroup')).toEqual({
      consumerGroup: { status: 'down', message: 'not a member of the consumer group yet' },
    });
  });

  it('is up while joined and down, with the reason, after leaving', () => {
    const { indicator, membership } = setup();
    membership.markJoined({ 'user-activity-logs': [0, 1, 2] });
    expect(indicator.isHealthy('consumerGroup')).toEqual({ consumerGroup: { status: 'up' } });
    membership.markLeft('crashed', 'KafkaJSConnectionError: Connection error');
    expect(indicator.isHealthy('consumerGroup')).toEqual({
      consumerGroup: {
        status: 'down',
        message: 'not a member of the consumer group: KafkaJSConnectionError: Connection error',
      },
    });
  });
});
