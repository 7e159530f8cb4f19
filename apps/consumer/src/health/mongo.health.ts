import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { BoundedProbe } from '@app/platform';
import { MongoConnection } from '../storage/mongo.client';

/** Ready when the database answers a ping within the bound. */
@Injectable()
export class MongoHealthIndicator {
  private probe?: BoundedProbe;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly mongo: MongoConnection,
  ) {}

  async isHealthy(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    // One shared in-flight ping: probes stay fast and never pile up while the database hangs.
    this.probe ??= new BoundedProbe('MongoDB', () => this.mongo.ping(), timeoutMs);
    try {
      await this.probe.run();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
