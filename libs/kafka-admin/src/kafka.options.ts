import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { type KafkaConfig, logLevel } from 'kafkajs';
import type { TopicSpecs } from '@app/contracts';
import {
  KafkaConnectionSettings,
  KafkaEnv,
  buildKafkaConfig,
  toKafkaSettings,
} from './config/kafka.config';
import {
  ValueFormatEnv,
  ValueFormatSettings,
  toValueFormatSettings,
} from './config/value-format.config';
import { kafkaLogCreator } from './logging/kafka-log-creator';

/**
 * When the module makes the topics match their specs: `bootstrap` = before the app starts (a
 * consumer must not subscribe to a missing topic; Kafka down stops the boot), `first-use` = on the
 * first TopicProvisioning.ensure() call, retried by the caller (an API starts, unready, without
 * Kafka), `off` = never (an operator provisions them; no Create/Alter rights needed).
 */
export type ProvisioningMode = 'bootstrap' | 'first-use' | 'off';

export interface KafkaModuleOptions {
  /** Brokers, timeouts, retry, TLS and SASL (the KAFKA_* variables). */
  connection: KafkaConnectionSettings;
  /** kafkajs clientId of the module's own clients (admin, DLQ producer). */
  clientId: string;
  /** The topics of the pipeline, with their configuration. */
  topics: TopicSpecs;
  provisioning: ProvisioningMode;
  /** How record values of the activity topic are serialized; JSON when absent. */
  valueFormat?: ValueFormatSettings;
  /**
   * Encode produce requests with fewer allocations (installLeanEncoder; same bytes on the wire).
   * Default true; it applies to every kafkajs client of the process.
   */
  leanEncoder?: boolean;
}

export const KAFKA_MODULE_OPTIONS: InjectionToken<KafkaModuleOptions> =
  Symbol('KAFKA_MODULE_OPTIONS');

export interface KafkaModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => KafkaModuleOptions | Promise<KafkaModuleOptions>;
}

/**
 * kafkajs client options for `clientId` with the module's connection settings and the JSON log
 * bridge: what Nest's ClientKafka and ServerKafka take as `client`, so every Kafka client of an
 * app, transport ones included, connects the same way.
 */
export function kafkaClientConfig(options: KafkaModuleOptions, clientId: string): KafkaConfig {
  return {
    ...buildKafkaConfig(options.connection, clientId),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
  };
}

/** KafkaModuleOptions from variables parsed with kafkaEnvSchema and valueFormatEnvSchema. */
export function kafkaModuleOptionsOf(
  env: KafkaEnv & Partial<ValueFormatEnv>,
  own: { clientId: string; provisioning: 'bootstrap' | 'first-use' },
): KafkaModuleOptions {
  const { connection, topics, provisionTopics } = toKafkaSettings(env);
  return {
    connection,
    topics,
    clientId: own.clientId,
    provisioning: provisionTopics ? own.provisioning : 'off',
    leanEncoder: env.KAFKA_LEAN_ENCODER,
    ...(env.KAFKA_VALUE_FORMAT
      ? { valueFormat: toValueFormatSettings(env as ValueFormatEnv) }
      : {}),
  };
}
