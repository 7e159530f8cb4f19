import { Admin, Kafka, logLevel } from 'kafkajs';
import {
  KafkaSettings,
  buildKafkaConfig,
  kafkaEnvSchema,
  toKafkaSettings,
} from '../config/kafka.config';
import { parseEnv } from '@app/platform';
import { CliIo } from './output';

export const CLI_CLIENT_ID = 'eyego-kafka-admin';

/**
 * What every command needs: the same Kafka settings the apps read from the environment, one
 * Kafka client, and an admin client connected on first use and closed at the end.
 */
export class CliContext {
  readonly kafka: Kafka;
  private adminClient?: Admin;

  constructor(
    readonly settings: KafkaSettings,
    readonly io: CliIo,
  ) {
    this.kafka = new Kafka({
      ...buildKafkaConfig(settings.connection, CLI_CLIENT_ID),
      // Failures surface as thrown errors with their own message; kafkajs' logs would be noise.
      logLevel: logLevel.NOTHING,
    });
  }

  static fromEnv(env: Record<string, string | undefined>, io: CliIo): CliContext {
    return new CliContext(toKafkaSettings(parseEnv(kafkaEnvSchema, env)), io);
  }

  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.adminClient = admin;
    }
    return this.adminClient;
  }

  progress(message: string): void {
    this.io.err(`… ${message}`);
  }

  async close(): Promise<void> {
    await this.adminClient?.disconnect();
  }
}
