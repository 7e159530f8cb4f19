import { z } from 'zod';
import { invalidConfiguration } from '@app/platform';
import {
  ACTIVITY_EVENT_AVRO_SCHEMA,
  AvroCodec,
  ConfluentSchemaRegistryClient,
  JsonCodec,
  SchemaRegistry,
  StaticSchemaRegistry,
  ValueCodec,
} from '@app/contracts';

/** An empty variable (`NAME=` in an env file) means unset. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** How record values are serialized: JSON (local demo, default) or Avro + a schema registry. */
export const valueFormatEnvSchema = z.object({
  KAFKA_VALUE_FORMAT: z.enum(['json', 'avro']).optional().default('json'),
  SCHEMA_REGISTRY_URL: optional(z.string().url()),
  SCHEMA_REGISTRY_USERNAME: optional(z.string()),
  SCHEMA_REGISTRY_PASSWORD: optional(z.string()),
  /** Pins ActivityEvent v1 to this id without any HTTP registry. */
  SCHEMA_REGISTRY_STATIC_ID: optional(
    z.coerce
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
  ),
});

export type ValueFormatEnv = z.output<typeof valueFormatEnvSchema>;

export type ValueFormatSettings =
  | { format: 'json' }
  | {
      format: 'avro';
      registry:
        | { kind: 'static'; id: number }
        | { kind: 'confluent'; url: string; username?: string; password?: string };
    };

/** Typed settings; throws naming the variables when Avro has no registry to use. */
export function toValueFormatSettings(env: ValueFormatEnv): ValueFormatSettings {
  if (env.KAFKA_VALUE_FORMAT === 'json') return { format: 'json' };
  if (env.SCHEMA_REGISTRY_STATIC_ID !== undefined) {
    return { format: 'avro', registry: { kind: 'static', id: env.SCHEMA_REGISTRY_STATIC_ID } };
  }
  if (!env.SCHEMA_REGISTRY_URL) {
    throw invalidConfiguration(
      'SCHEMA_REGISTRY_URL / SCHEMA_REGISTRY_STATIC_ID: one is required when KAFKA_VALUE_FORMAT=avro',
    );
  }
  if (env.SCHEMA_REGISTRY_PASSWORD !== undefined && env.SCHEMA_REGISTRY_USERNAME === undefined) {
    throw invalidConfiguration(
      'SCHEMA_REGISTRY_USERNAME: required when SCHEMA_REGISTRY_PASSWORD is set',
    );
  }
  return {
    format: 'avro',
    registry: {
      kind: 'confluent',
      url: env.SCHEMA_REGISTRY_URL,
      username: env.SCHEMA_REGISTRY_USERNAME,
      password: env.SCHEMA_REGISTRY_PASSWORD,
    },
  };
}

/** The codec for `topic`'s values. A producer awaits `prepare()` before encoding. */
export function createValueCodec(settings: ValueFormatSettings, topic: string): ValueCodec {
  if (settings.format === 'json') return new JsonCodec();
  const { registry } = settings;
  const port: SchemaRegistry =
    registry.kind === 'static'
      ? new StaticSchemaRegistry(
          new Map([[registry.id, JSON.stringify(ACTIVITY_EVENT_AVRO_SCHEMA)]]),
        )
      : new ConfluentSchemaRegistryClient(registry);
  return new AvroCodec(port, `${topic}-value`);
}
