import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/platform';
import { KafkaClients } from '../ingestion/kafka-clients';
import { MongoHealthIndicator } from './mongo.health';

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
    private readonly clients: KafkaClients,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get(['ready', ''])
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.kafka.isHealthy('kafka', this.clients.admin, CHECK_TIMEOUT_MS),
      () => this.mongo.isHealthy('mongodb', CHECK_TIMEOUT_MS),
    ]);
  }
}
