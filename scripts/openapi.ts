/**
 * Writes the OpenAPI documents of both apps, built from code alone: each Nest app is created but
 * never initialised, so no broker or database is needed. `npm run openapi` rewrites the checked-in
 * files; scripts/checks/openapi.sh regenerates into a temp folder and fails when they differ.
 *
 * Usage: node dist/scripts/openapi.js [outDir]   (default: docs/openapi)
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? join(process.cwd(), 'docs', 'openapi'));
  // Configuration is read when the modules load; pin it so the documents never depend on the shell.
  for (const name of Object.keys(process.env)) {
    if (name !== 'PATH' && name !== 'HOME') delete process.env[name];
  }
  process.env.NODE_ENV = 'test';
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

  const { NestFactory } = await import('@nestjs/core');
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const { buildOpenApiDocument } = await import('@app/platform');
  const prettier = await import('prettier');
  const producer = await import('../apps/producer-api/src/producer-api.module');
  const producerInfo = await import('../apps/producer-api/src/openapi-info');
  const consumer = await import('../apps/consumer/src/consumer.module');
  const consumerConfig = await import('../apps/consumer/src/config/consumer.config');
  const consumerInfo = await import('../apps/consumer/src/openapi-info');

  const create = (module: Parameters<typeof NestFactory.create>[0]): Promise<INestApplication> =>
    NestFactory.create(module, new FastifyAdapter(), { logger: false, abortOnError: false });
  const apps = [
    {
      file: 'producer-api.json',
      app: await create(producer.ProducerApiModule),
      info: producerInfo.OPENAPI_INFO,
    },
    {
      file: 'consumer.json',
      app: await create(consumer.ConsumerModule.forRoot(consumerConfig.loadConsumerConfig({}))),
      info: consumerInfo.OPENAPI_INFO,
    },
  ];
  mkdirSync(outDir, { recursive: true });
  const options = (await prettier.resolveConfig(join(process.cwd(), 'package.json'))) ?? {};
  for (const { file, app, info } of apps) {
    const document = buildOpenApiDocument(app, info);
    const text = await prettier.format(JSON.stringify(document), { ...options, parser: 'json' });
    writeFileSync(join(outDir, file), text);
    console.log(`wrote ${join(outDir, file)}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
