import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { BoundedProbe } from '@app/platform';
import { KafkaAdmin } from '../admin/kafka-admin';

/** Ready when the Kafka cluster answers a metadata request within the bound. */
@Injectable()
export class KafkaHealthIndicator {
  // One probe, so concurrent readiness probes share a single metadata request.
  private probe?: BoundedProbe;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly admin: KafkaAdmin,
  ) {}

  async isHealthy(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    this.probe ??= new BoundedProbe(
      'Kafka',
      async () => (await this.admin.connect()).describeCluster(),
      timeoutMs,
    );
    try {
      await this.probe.run();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
