import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Kafka } from 'kafkajs';
import { AvroCodec, JsonCodec, ValueCodec, resolveTopicSpecs } from '@app/contracts';
import { KafkaAdmin } from './admin/kafka-admin';
import { DlqPublisher } from './dlq/dlq.publisher';
import { KafkaHealthIndicator } from './health/kafka.health';
import { KafkaModule } from './kafka.module';
import { KAFKA_MODULE_OPTIONS, KafkaModuleOptions } from './kafka.options';
import { LagReader } from './lag/lag-reader';
import { TopicProvisioning } from './topics/topic-provisioning';

/** Nothing listens there: building the module must not contact Kafka. */
const NOWHERE = '127.0.0.1:1';

@Injectable()
class Settings {
  readonly prefix = 'spec.';
}
@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

const options = (prefix: string, extra: Partial<KafkaModuleOptions> = {}): KafkaModuleOptions => ({
  connection: {
    brokers: [NOWHERE],
    connectionTimeoutMs: 100,
    requestTimeoutMs: 100,
    retry: { initialRetryTime: 10, retries: 1 },
  },
  clientId: 'spec',
  topics: resolveTopicSpecs({ prefix }),
  provisioning: 'off',
  ...extra,
});

describe('KafkaModule', () => {
  it('provides every Kafka piece from forRootAsync options, without connecting', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        KafkaModule.forRootAsync({
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: (s: Settings) => options(s.prefix),
        }),
      ],
    }).compile();
    expect(moduleRef.get<KafkaModuleOptions>(KAFKA_MODULE_OPTIONS).topics.deadLetter.name).toBe(
      'spec.user-activity-logs-dlq',
    );
    expect(moduleRef.get(Kafka)).toBeInstanceOf(Kafka);
    expect(moduleRef.get(DlqPublisher).topic).toBe('spec.user-activity-logs-dlq');
    expect(moduleRef.get(ValueCodec)).toBeInstanceOf(JsonCodec);
    for (const type of [KafkaAdmin, LagReader, KafkaHealthIndicator, TopicProvisioning]) {
      expect(moduleRef.get(type)).toBeInstanceOf(type);
    }
    // Provisioning off: nothing to wait for, nothing contacted.
    await expect(moduleRef.get(TopicProvisioning).ensure()).resolves.toBeUndefined();
    await moduleRef.close();
  });

  it('builds the Avro codec for the activity topic when the value format says so', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        KafkaModule.forRoot(
          options('avro.', {
            valueFormat: { format: 'avro', registry: { kind: 'static', id: 7 } },
          }),
        ),
      ],
    }).compile();
    expect(moduleRef.get(ValueCodec)).toBeInstanceOf(AvroCodec);
    await moduleRef.close();
  });

  it('reports an unreachable broker as not ready within the probe bound', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot(options('down.'))],
    }).compile();
    const result = await moduleRef.get(KafkaHealthIndicator).isHealthy('kafka', 1000);
    expect(result.kafka.status).toBe('down');
    await moduleRef.close();
  });
});
