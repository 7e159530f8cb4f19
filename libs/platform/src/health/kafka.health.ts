import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Admin } from 'kafkajs';
import { BoundedProbe } from './bounded-probe';

/** Ready when the Kafka cluster answers a metadata request within the bound. */
@Injectable()
export class KafkaHealthIndicator {
  // One probe per admin client, so concurrent readiness probes share a single metadata request.
  private readonly probes = new WeakMap<Admin, BoundedProbe>();

  constructor(private readonly health: HealthIndicatorService) {}

  async isHealthy(key: string, admin: Admin, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await this.probe(admin, timeoutMs).run();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  private probe(admin: Admin, timeoutMs: number): BoundedProbe {
    let probe = this.probes.get(admin);
    if (!probe) {
      probe = new BoundedProbe('Kafka', () => admin.describeCluster(), timeoutMs);
      this.probes.set(admin, probe);
    }
    return probe;
  }
}
