import { tuneHeapGrowth } from './heap-tuning';
import { installLinearPartitionGrouping } from './kafka/partition-grouping';
tuneHeapGrowth();
installLinearPartitionGrouping(); // before anything loads kafkajs (see the file)
import 'reflect-metadata';
// Before @nestjs/common and the other libs: the platform entry loads Nest with its date formatters deferred.
import {
  buildOpenApiDocument,
  createHttpApp,
  openApiOutputFile,
  setupSwagger,
  startupFailure,
} from '@app/platform';
import { Logger } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { ProducerApiConfig } from './config/producer-api.config';
import { OPENAPI_INFO, describeRequestLimits } from './openapi-info';
import { ProducerApiModule } from './producer-api.module';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp(ProducerApiModule);
  const config = app.get(ProducerApiConfig);
  const document = buildOpenApiDocument(app, OPENAPI_INFO);
  describeRequestLimits(document);
  const docsOnly = openApiOutputFile(process.argv);
  if (docsOnly) return writeDocument(docsOnly, document);
  setupSwagger(app, document);
  await app.listen(config.http.port, config.http.host);
  Logger.log(
    {
      msg: 'producer-api listening',
      url: await app.getUrl(),
      docs: '/docs',
      health: '/health/ready',
      apiKeys: config.security.apiKeys.length > 0 ? 'on' : 'off',
    },
    'Bootstrap',
  );
}

/** scripts/openapi.ts: the document, written without starting anything. */
function writeDocument(file: string, document: object): void {
  writeFileSync(file, JSON.stringify(document));
  process.exit(0);
}

bootstrap().catch((error: unknown) => {
  // eslint-disable-next-line no-console -- the logger may not exist yet
  console.error(startupFailure(error));
  process.exit(1);
});
