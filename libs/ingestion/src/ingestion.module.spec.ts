import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ContractsModule, resolveTopicSpecs } from '@app/contracts';
import { KafkaModule } from '@app/kafka-admin';
import { PlatformModule } from '@app/platform';
import { ANALYTICS_RULES, AnalyticsAlert, AnalyticsRule } from './analytics/analytics-rule';
import { FailedLoginRule } from './analytics/failed-login.rule';
import { ConsumerGroupHealthIndicator } from './health/group.health';
import { IngestionModule } from './ingestion.module';
import { DEFAULT_INGESTION, INGESTION_OPTIONS, IngestionOptions } from './ingestion.options';
import {
  ACTIVITY_SINK,
  ActivitySink,
  IngestedActivity,
  SinkWriteResult,
} from './sink/activity-sink';
import { IngestionKafkaServer } from './transport/ingestion-kafka.server';

@Injectable()
class MemorySink implements ActivitySink {
  readonly stored: IngestedActivity[] = [];
  async write(events: readonly IngestedActivity[]): Promise<SinkWriteResult> {
    this.stored.push(...events);
    return { stored: events.map((_, i) => i), duplicates: [], failed: [] };
  }
}
@Module({ providers: [MemorySink], exports: [MemorySink] })
class MemorySinkModule {}

@Injectable()
class EveryPurchaseRule implements AnalyticsRule {
  readonly name = 'every_purchase';
  observe(_partition: number, events: readonly IngestedActivity[]): AnalyticsAlert[] {
    return events
      .filter((e) => e.activityType === 'purchase')
      .map((e) => ({ kind: 'alert', rule: this.name, userId: e.userId }));
  }
}

describe('IngestionModule', () => {
  it('wires the engine from forRootAsync options: topic, group, sink and analytics rules', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot({
          logLevel: 'error',
          http: { bodyLimitBytes: 1024 },
          security: {
            apiKeys: [],
            rateLimit: { max: 0, windowMs: 1000 },
            corsOrigins: [],
            trustProxy: [],
            maskIps: false,
          },
        }),
        KafkaModule.forRoot({
          connection: {
            brokers: ['127.0.0.1:1'],
            connectionTimeoutMs: 100,
            requestTimeoutMs: 100,
            retry: { initialRetryTime: 10, retries: 1 },
          },
          clientId: 'spec',
          topics: resolveTopicSpecs({ prefix: 'spec.' }),
          provisioning: 'off',
        }),
        ContractsModule.forRoot(),
        IngestionModule.forRootAsync({
          imports: [MemorySinkModule],
          sink: MemorySink,
          analyticsRules: [EveryPurchaseRule],
          useFactory: (): IngestionOptions => ({
            ...DEFAULT_INGESTION,
            groupId: 'daily-counts',
            clientId: 'spec-consumer',
            analytics: { activityTypes: ['purchase'] },
          }),
        }),
      ],
    }).compile();
    const server = moduleRef.get(IngestionKafkaServer);
    expect(server.topic).toBe('spec.user-activity-logs');
    expect(moduleRef.get<IngestionOptions>(INGESTION_OPTIONS).groupId).toBe('daily-counts');
    const rules = moduleRef.get<AnalyticsRule[]>(ANALYTICS_RULES);
    expect(rules.map((r) => r.constructor)).toEqual([FailedLoginRule, EveryPurchaseRule]);
    const sink = moduleRef.get<ActivitySink>(ACTIVITY_SINK, { strict: false });
    expect(sink).toBe(moduleRef.get(MemorySink, { strict: false }));
    expect(moduleRef.get(ConsumerGroupHealthIndicator).isHealthy('group')).toEqual({
      group: { status: 'down', message: 'not a member of the consumer group yet' },
    });
    await moduleRef.close();
  });
});
