import type { OpenAPIObject } from '@nestjs/swagger';
import {
  CLOCK_METADATA_KEY,
  FORBIDDEN_KEYS,
  KNOWN_METADATA_KEYS,
  LIMITS,
  METADATA_KEY_PATTERN,
} from '@app/contracts';
import { OpenApiInfo } from '@app/platform';

/** Title of the OpenAPI document; main.ts and scripts/openapi.ts both build it from this. */
export const OPENAPI_INFO: OpenApiInfo = {
  title: 'Eyego producer API',
  description:
    'Validates user-activity events and publishes them to Kafka (user-activity-logs). A 202 means Kafka acknowledged the event (acks=all). Every error is application/problem+json with a machine-readable `code`.',
  version: '1.0.0',
};

type Schema = Record<string, unknown>;

const scalar: Schema = {
  anyOf: [
    { type: 'string', maxLength: LIMITS.metadataStringMaxLength },
    { type: 'number' },
    { type: 'boolean', nullable: true },
  ],
};
/** Keys of metadata and its nested objects (reserved names excluded: they are 400 forbiddenKey). */
const keyPattern = (reserved: string[]): string =>
  `^(?!(${reserved.join('|')})$)${METADATA_KEY_PATTERN.source.slice(1)}`;
const nested = (inner: Schema): Schema => ({
  anyOf: [
    scalar,
    { type: 'array', maxItems: LIMITS.metadataMaxArrayLength, items: inner },
    {
      type: 'object',
      patternProperties: { [keyPattern([...FORBIDDEN_KEYS])]: inner },
      additionalProperties: false,
    },
  ],
});

/**
 * What class-validator cannot describe itself, so that the document says what the API accepts
 * (schemathesis checks that every schema-valid request gets a 2xx and every other one a 4xx):
 * unknown fields are 400 (whitelist), a batch holds at most BATCH_MAX_EVENTS (default shown), and
 * metadata's free-form keys follow METADATA_KEY_PATTERN with values nested at most
 * LIMITS.metadataMaxDepth deep. Byte limits (metadata, event) are in the descriptions only.
 */
export function describeRequestLimits(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  for (const name of ['ActivityEventDto', 'IngestEventDto', 'BatchRequestDto']) {
    if (schemas[name]) schemas[name].additionalProperties = false;
  }
  const events = (schemas.BatchRequestDto?.properties as Record<string, Schema> | undefined)
    ?.events;
  if (events) Object.assign(events, { minItems: 1, maxItems: 500 });
  const metadata = schemas.ActivityMetadataDto;
  if (metadata) {
    metadata.maxProperties = LIMITS.metadataMaxExtraKeys + KNOWN_METADATA_KEYS.size;
    // patternProperties (JSON Schema, which schemathesis reads) for the free-form keys.
    metadata.patternProperties = {
      [keyPattern([...FORBIDDEN_KEYS, CLOCK_METADATA_KEY])]: nested(nested(scalar)),
    };
    metadata.additionalProperties = false;
  }
}
