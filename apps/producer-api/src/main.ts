import { tuneHeapGrowth } from './heap-tuning';
tuneHeapGrowth();
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { buildOpenApiDocument, createHttpApp, setupSwagger } from '@app/platform';
import { ensureCompressionCodec } from './activities/compression';
import { ProducerApiConfig, loadProducerApiConfig } from './config/producer-api.config';
import { OPENAPI_INFO } from './openapi-info';
import { ProducerApiModule } from './producer-api.module';

async function bootstrap(): Promise<void> {
  // Validated here too so that a bad variable stops the process before anything starts.
  const preflight = loadProducerApiConfig(process.env);
  ensureCompressionCodec(preflight.producer.compression);
  const app = await createHttpApp(ProducerApiModule, {
    ...OPENAPI_INFO,
    bodyLimitBytes: preflight.http.bodyLimitBytes,
    logLevel: preflight.logLevel,
    security: preflight.security,
  });
  const config = app.get(ProducerApiConfig);
  setupSwagger(app, buildOpenApiDocument(app, OPENAPI_INFO));
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

bootstrap().catch((error: unknown) => {
  // eslint-disable-next-line no-console -- the logger may not exist yet
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
