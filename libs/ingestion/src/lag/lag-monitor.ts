import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { LagReader } from '@app/kafka-admin';
import { Metrics } from '@app/platform';
import { INGESTION_OPTIONS, IngestionOptions } from '../ingestion.options';
import { INGESTION_TOPIC } from '../transport/ingestion-topic';

/** Refreshes the consumer-lag gauge from the group's committed offsets, as Kafka's tools compute it. */
@Injectable()
export class LagMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LagMonitor.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(INGESTION_OPTIONS) private readonly options: IngestionOptions,
    @Inject(INGESTION_TOPIC) private readonly topic: string,
    private readonly lag: LagReader,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.lagIntervalMs;
    if (every > 0) this.timer = setInterval(() => void this.refresh(), every);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const group = this.options.groupId;
    try {
      for (const row of await this.lag.read(group, [this.topic])) {
        this.metrics.consumerLag.set(
          { topic: row.topic, partition: String(row.partition), group },
          Number(row.lag),
        );
      }
    } catch (error) {
      this.logger.warn({ msg: 'consumer lag not refreshed', error: String(error) });
    }
  }
}
