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
import { connectIngestion } from '@app/ingestion';
import { writeFileSync } from 'node:fs';
import { ConsumerConfig } from './config/consumer.config';
import { ConsumerModule } from './consumer.module';
import { OPENAPI_INFO } from './openapi-info';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp(ConsumerModule);
  const config = app.get(ConsumerConfig);
  const document = buildOpenApiDocument(app, OPENAPI_INFO);
  const docsOnly = openApiOutputFile(process.argv);
  if (docsOnly) return writeDocument(docsOnly, document);
  connectIngestion(app);
  setupSwagger(app, document);
  // init first: topics are provisioned and indexes exist before the first record arrives.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  Logger.log(
    {
      msg: 'consumer listening',
      url: await app.getUrl(),
      group: config.ingestion.groupId,
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
