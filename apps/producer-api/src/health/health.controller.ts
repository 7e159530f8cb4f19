import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/kafka-admin';
import { HealthCheckFilter } from '@app/platform';
import { ActivityPublisher } from '../kafka/activity.publisher';

const KAFKA_CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
// A failed check answers 503 with the check result (which dependency, why), not a generic problem.
@UseFilters(HealthCheckFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly publisher: ActivityPublisher,
  ) {}

  /** Liveness: the process serves HTTP. Never depends on Kafka. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: the broker answers within the bound, and this instance may publish (not fenced). */
  @Get(['ready', ''])
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.kafka.isHealthy('kafka', KAFKA_CHECK_TIMEOUT_MS),
      () => {
        const producer = this.indicators.check('producer');
        const reason = this.publisher.unavailableReason;
        return reason ? producer.down({ message: reason }) : producer.up();
      },
    ]);
  }
}
