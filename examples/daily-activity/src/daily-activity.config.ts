import { z } from 'zod';
import type { MongooseModuleOptions } from '@nestjs/mongoose';
import { DEFAULT_INGESTION, IngestionOptions } from '@app/ingestion';
import { KafkaModuleOptions, kafkaEnvSchema, kafkaModuleOptionsOf } from '@app/kafka-admin';
import { PlatformOptions, baseEnvSchema, envInt, parseEnv, platformOptionsOf } from '@app/platform';

const schema = baseEnvSchema.merge(kafkaEnvSchema).extend({
  DAILY_ACTIVITY_PORT: envInt(3002, 0, 65535),
  DAILY_ACTIVITY_GROUP_ID: z.string().min(1).default('daily-activity-counts'),
  MONGODB_URI: z.string().default('mongodb://127.0.0.1:27017/eyego'),
});

/** The example's configuration: its own port and group; the pipeline's Kafka variables. */
export class DailyActivityConfig {
  constructor(
    readonly port: number,
    readonly mongo: MongooseModuleOptions,
    readonly platform: PlatformOptions,
    readonly kafka: KafkaModuleOptions,
    readonly ingestion: IngestionOptions,
  ) {}

  static load(env: Record<string, unknown>): DailyActivityConfig {
    const e = parseEnv(schema, env);
    return new DailyActivityConfig(
      e.DAILY_ACTIVITY_PORT,
      { uri: e.MONGODB_URI, autoIndex: false, bufferCommands: false },
      platformOptionsOf(e, 1024),
      kafkaModuleOptionsOf(e, { clientId: 'daily', provisioning: 'bootstrap' }),
      { ...DEFAULT_INGESTION, groupId: e.DAILY_ACTIVITY_GROUP_ID, clientId: 'daily' },
    );
  }
}
