import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { ValueCodec } from '@app/contracts';
import { KafkaAdmin } from './admin/kafka-admin';
import { createValueCodec } from './config/value-format.config';
import { DlqPublisher } from './dlq/dlq.publisher';
import { installLeanEncoder } from './encoding/lean-encoder';
import { installLeanProduceRequest } from './encoding/lean-produce-request';
import { KafkaHealthIndicator } from './health/kafka.health';
import {
  KAFKA_MODULE_OPTIONS,
  KafkaModuleAsyncOptions,
  KafkaModuleOptions,
  kafkaClientConfig,
} from './kafka.options';
import { LagReader } from './lag/lag-reader';
import { TopicProvisioning } from './topics/topic-provisioning';

/**
 * Kafka for a Nest app: the connection settings, one kafkajs client for the module's own clients,
 * the admin client, topic provisioning (at bootstrap or first use), the DLQ publisher, the lag
 * reader, the activity topic's value codec and the readiness indicator. Global, like
 * MongooseModule's connection: any module injects these without importing it again. Everything
 * it opened is closed on application shutdown, after the transports.
 *
 *   KafkaModule.forRootAsync({ inject: [AppConfig], useFactory: (c: AppConfig) => c.kafkaModule })
 */
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return KafkaModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    const exported = [
      KAFKA_MODULE_OPTIONS,
      Kafka,
      KafkaAdmin,
      TopicProvisioning,
      DlqPublisher,
      LagReader,
      ValueCodec,
      KafkaHealthIndicator,
    ];
    return {
      module: KafkaModule,
      global: true,
      imports: [...(options.imports ?? []), TerminusModule],
      providers: [
        {
          provide: KAFKA_MODULE_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory as (...args: unknown[]) => KafkaModuleOptions,
        },
        {
          provide: Kafka,
          inject: [KAFKA_MODULE_OPTIONS],
          useFactory: async (o: KafkaModuleOptions) => {
            if (o.leanEncoder !== false) {
              const lean = installLeanEncoder() && (await installLeanProduceRequest());
              if (!lean) {
                new Logger(KafkaModule.name).warn({
                  msg: "kafkajs's encoder is not the one expected; its own encoding is kept where it differs (KAFKA_LEAN_ENCODER)",
                });
              }
            }
            return new Kafka(kafkaClientConfig(o, o.clientId));
          },
        },
        {
          provide: ValueCodec,
          inject: [KAFKA_MODULE_OPTIONS],
          useFactory: (o: KafkaModuleOptions) =>
            createValueCodec(o.valueFormat ?? { format: 'json' }, o.topics.activity.name),
        },
        KafkaAdmin,
        TopicProvisioning,
        DlqPublisher,
        LagReader,
        KafkaHealthIndicator,
      ],
      exports: exported,
    };
  }
}
