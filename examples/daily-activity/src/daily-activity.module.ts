import { Controller, Get, Inject, Module, Param } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ContractsModule } from '@app/contracts';
import { ACTIVITY_SINK, ConsumerGroupHealthIndicator, IngestionModule } from '@app/ingestion';
import { KafkaModule } from '@app/kafka-admin';
import { AppConfigModule, PlatformModule } from '@app/platform';
import { DailyActivityConfig as Config } from './daily-activity.config';
import { DailyCount, DailyCountSchema, DailyCountsSink } from './daily-counts.sink';

@Controller()
class DailyActivityController {
  constructor(
    @Inject(ACTIVITY_SINK) private readonly counts: DailyCountsSink,
    private readonly health: HealthCheckService,
    private readonly group: ConsumerGroupHealthIndicator,
  ) {}

  @Get('v1/users/:userId/daily-counts')
  daily(@Param('userId') userId: string) {
    return this.counts.countsOf(userId);
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.group.isHealthy('consumerGroup')]);
  }
}

const from = <T>(pick: (c: Config) => T) => ({ inject: [Config], useFactory: pick });

/** A third app on the activity stream, in its own consumer group, from the libs' entries only. */
@Module({
  imports: [
    AppConfigModule.forRoot({ token: Config, load: (env) => Config.load(env) }),
    PlatformModule.forRootAsync(from((c) => c.platform)),
    KafkaModule.forRootAsync(from((c) => c.kafka)),
    ContractsModule.forRoot(),
    MongooseModule.forRootAsync(from((c) => c.mongo)),
    IngestionModule.forRootAsync({
      imports: [MongooseModule.forFeature([{ name: DailyCount.name, schema: DailyCountSchema }])],
      sink: { useClass: DailyCountsSink },
      ...from((c) => c.ingestion),
    }),
  ],
  controllers: [DailyActivityController],
})
export class DailyActivityModule {}
