import { HealthIndicatorService } from '@nestjs/terminus';
import { MongoConnection } from '../storage/mongo.client';
import { MongoHealthIndicator } from './mongo.health';

const connectionThat = (ping: () => Promise<void>) => ({ ping }) as unknown as MongoConnection;

describe('MongoHealthIndicator', () => {
  it('is up when the database answers a ping', async () => {
    const indicator = new MongoHealthIndicator(
      new HealthIndicatorService(),
      connectionThat(() => Promise.resolve()),
    );
    await expect(indicator.isHealthy('mongodb', 500)).resolves.toEqual({
      mongodb: { status: 'up' },
    });
  });

  it('is down, naming the cause, when the ping fails', async () => {
    const indicator = new MongoHealthIndicator(
      new HealthIndicatorService(),
      connectionThat(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:27017'))),
    );
    await expect(indicator.isHealthy('mongodb', 500)).resolves.toEqual({
      mongodb: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:27017' },
    });
  });

  it('is down within the bound when the database hangs', async () => {
    const indicator = new MongoHealthIndicator(
      new HealthIndicatorService(),
      connectionThat(() => new Promise(() => undefined)),
    );
    await expect(indicator.isHealthy('mongodb', 50)).resolves.toEqual({
      mongodb: { status: 'down', message: 'MongoDB did not answer within 50 ms' },
    });
  });
});
