import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Connection } from 'mongoose';
import { BoundedProbe } from '@app/platform';

/** Ready when the database answers a ping within the bound. */
@Injectable()
export class MongoHealthIndicator {
  private probe?: BoundedProbe;

  constructor(
    private readonly health: HealthIndicatorService,
    @InjectConnection() private readonly connection: Pick<Connection, 'db'>,
  ) {}

  async isHealthy(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    // One shared in-flight ping: probes stay fast and never pile up while the database hangs.
    this.probe ??= new BoundedProbe('MongoDB', () => this.ping(), timeoutMs);
    try {
      await this.probe.run();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('not connected to MongoDB');
    await db.command({ ping: 1 });
  }
}
