import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { MongoHealthIndicator } from '@app/activity-store';
import { ConsumerGroupHealthIndicator } from '@app/ingestion';
import { KafkaHealthIndicator } from '@app/kafka-admin';
import { HealthCheckFilter } from '@app/platform';

// Below the 5 s an orchestrator usually allows a probe, so a hanging dependency answers 503, not a timeout.
const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
// A failed check answers 503 with the check result (which dependency, why), not a generic problem.
@UseFilters(HealthCheckFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly group: ConsumerGroupHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
  ) {}

  /** Liveness: the process serves HTTP. Never depends on Kafka or the database. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: the broker answers, this instance is in its group, and the database answers. */
  @Get(['ready', ''])
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.kafka.isHealthy('kafka', CHECK_TIMEOUT_MS),
      () => this.group.isHealthy('consumerGroup'),
      () => this.mongo.isHealthy('mongodb', CHECK_TIMEOUT_MS),
    ]);
  }
}
