import { HealthIndicatorService } from '@nestjs/terminus';
import type { Admin } from 'kafkajs';
import { KafkaHealthIndicator } from './kafka.health';

const adminThat = (describeCluster: () => Promise<unknown>) =>
  ({ describeCluster }) as unknown as Admin;

describe('KafkaHealthIndicator', () => {
  const indicator = new KafkaHealthIndicator(new HealthIndicatorService());

  it('is up when the cluster answers a metadata request', async () => {
    const admin = adminThat(() => Promise.resolve({ brokers: [{ nodeId: 1 }] }));
    await expect(indicator.isHealthy('kafka', admin, 500)).resolves.toEqual({
      kafka: { status: 'up' },
    });
  });

  it('is down, naming the cause, when the broker refuses', async () => {
    const admin = adminThat(() => Promise.reject(new Error('Connection error: ECONNREFUSED')));
    await expect(indicator.isHealthy('kafka', admin, 500)).resolves.toEqual({
      kafka: { status: 'down', message: 'Connection error: ECONNREFUSED' },
    });
  });

  it('is down within the bound when the broker hangs', async () => {
    const admin = adminThat(() => new Promise(() => undefined));
    await expect(indicator.isHealthy('kafka', admin, 50)).resolves.toEqual({
      kafka: { status: 'down', message: 'Kafka did not answer within 50 ms' },
    });
  });
});
