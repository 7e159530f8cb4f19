import { HealthIndicatorService } from '@nestjs/terminus';
import type { Connection } from 'mongoose';
import { MongoHealthIndicator } from './mongo.health';

const connectionThat = (ping: () => Promise<unknown>) =>
  ({ db: { command: ping } }) as unknown as Pick<Connection, 'db'>;

describe('MongoHealthIndicator', () => {
  it('is up when the database answers a ping', async () => {
    const indicator = new MongoHealthIndicator(
      new HealthIndicatorService(),
      connectionThat(() => Promise.resolve({ ok: 1 })),
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
