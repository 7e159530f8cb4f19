import { AvroCodec, JsonCodec } from '@app/contracts';
import { parseEnv } from '@app/platform';
import {
  createValueCodec,
  toValueFormatSettings,
  valueFormatEnvSchema,
} from './value-format.config';

const settingsOf = (env: Record<string, string>) =>
  toValueFormatSettings(parseEnv(valueFormatEnvSchema, env));

describe('the value format configuration', () => {
  it('is JSON unless KAFKA_VALUE_FORMAT says avro', () => {
    expect(settingsOf({})).toEqual({ format: 'json' });
    expect(settingsOf({ SCHEMA_REGISTRY_URL: '', SCHEMA_REGISTRY_STATIC_ID: '' })).toEqual({
      format: 'json',
    });
    expect(createValueCodec(settingsOf({}), 't')).toBeInstanceOf(JsonCodec);
  });

  it('stops Avro without a registry with a message naming both variables', () => {
    expect(() => settingsOf({ KAFKA_VALUE_FORMAT: 'avro' })).toThrow(
      /SCHEMA_REGISTRY_URL \/ SCHEMA_REGISTRY_STATIC_ID/,
    );
    expect(() => settingsOf({ KAFKA_VALUE_FORMAT: 'xml' })).toThrow(/KAFKA_VALUE_FORMAT/);
    expect(() =>
      settingsOf({ KAFKA_VALUE_FORMAT: 'avro', SCHEMA_REGISTRY_URL: 'not a url' }),
    ).toThrow(/SCHEMA_REGISTRY_URL/);
    expect(() =>
      settingsOf({ KAFKA_VALUE_FORMAT: 'avro', SCHEMA_REGISTRY_STATIC_ID: '0' }),
    ).toThrow(/SCHEMA_REGISTRY_STATIC_ID/);
  });

  it('uses the static id when given, else the registry URL with optional basic auth', async () => {
    const pinned = settingsOf({ KAFKA_VALUE_FORMAT: 'avro', SCHEMA_REGISTRY_STATIC_ID: '7' });
    expect(pinned).toEqual({ format: 'avro', registry: { kind: 'static', id: 7 } });
    const codec = createValueCodec(pinned, 't');
    expect(codec).toBeInstanceOf(AvroCodec);
    await expect(codec.prepare()).resolves.toBe(7);
    expect(
      settingsOf({
        KAFKA_VALUE_FORMAT: 'avro',
        SCHEMA_REGISTRY_URL: 'https://sr.example:8081',
        SCHEMA_REGISTRY_USERNAME: 'u',
        SCHEMA_REGISTRY_PASSWORD: 'p',
      }),
    ).toEqual({
      format: 'avro',
      registry: { kind: 'confluent', url: 'https://sr.example:8081', username: 'u', password: 'p' },
    });
  });
});
