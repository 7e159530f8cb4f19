import { HealthIndicatorService } from '@nestjs/terminus';
import type { Admin } from 'kafkajs';
import type { KafkaAdmin } from '../admin/kafka-admin';
import { KafkaHealthIndicator } from './kafka.health';

const indicatorWith = (describeCluster: () => Promise<unknown>) =>
  new KafkaHealthIndicator(new HealthIndicatorService(), {
    connect: async () => ({ describeCluster }) as unknown as Admin,
  } as KafkaAdmin);

describe('KafkaHealthIndicator', () => {
  it('is up when the cluster answers a metadata request', async () => {
    const indicator = indicatorWith(() => Promise.resolve({ brokers: [{ nodeId: 1 }] }));
    await expect(indicator.isHealthy('kafka', 500)).resolves.toEqual({
      kafka: { status: 'up' },
    });
  });

  it('is down, naming the cause, when the broker refuses', async () => {
    const indicator = indicatorWith(() =>
      Promise.reject(new Error('Connection error: ECONNREFUSED')),
    );
    await expect(indicator.isHealthy('kafka', 500)).resolves.toEqual({
      kafka: { status: 'down', message: 'Connection error: ECONNREFUSED' },
    });
  });

  it('is down within the bound when the broker hangs', async () => {
    const indicator = indicatorWith(() => new Promise(() => undefined));
    await expect(indicator.isHealthy('kafka', 50)).resolves.toEqual({
      kafka: { status: 'down', message: 'Kafka did not answer within 50 ms' },
    });
  });
});
