import { OpenApiInfo } from '@app/platform';

/** Title of the OpenAPI document; main.ts and scripts/openapi.ts both build it from this. */
export const OPENAPI_INFO: OpenApiInfo = {
  title: 'Eyego producer API',
  description:
    'Validates user-activity events and publishes them to Kafka (user-activity-logs). A 202 means Kafka acknowledged the event (acks=all). Every error is application/problem+json with a machine-readable `code`.',
  version: '1.0.0',
};
