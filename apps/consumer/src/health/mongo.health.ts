import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '@app/platform';
import { MongoConnection } from '../storage/mongo.client';

/** Ready when the database answers a ping within the bound. */
@Injectable()
export class MongoHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly mongo: MongoConnection,
  ) {}

  async isHealthy(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await withTimeout(this.mongo.ping(), timeoutMs, 'MongoDB');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
