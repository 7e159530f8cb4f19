import { OpenApiInfo } from '@app/platform';

/** Title of the OpenAPI document; main.ts and scripts/openapi.ts both build it from this. */
export const OPENAPI_INFO: OpenApiInfo = {
  title: 'Eyego consumer',
  description: 'Stores user-activity events from Kafka in MongoDB and serves them.',
  version: '1.0.0',
};
