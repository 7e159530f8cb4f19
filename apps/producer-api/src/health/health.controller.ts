import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/kafka-admin';
import { HealthCheckFilter } from '@app/platform';

const KAFKA_CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
// A failed check answers 503 with the check result (which dependency, why), not a generic problem.
@UseFilters(HealthCheckFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
  ) {}

  /** Liveness: the process serves HTTP. Never depends on Kafka. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: the broker answers within the bound. */
  @Get(['ready', ''])
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.kafka.isHealthy('kafka', KAFKA_CHECK_TIMEOUT_MS)]);
  }
}
