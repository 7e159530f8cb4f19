import { randomUUID } from 'node:crypto';
import { ConsoleLogger, DynamicModule, INestApplication, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@app/contracts';
import { ProblemFilter, toProblem } from './problem.filter';

export interface HttpAppOptions {
  title: string;
  description: string;
  version: string;
  /** Largest accepted request body; fastify answers 413 above it. */
  bodyLimitBytes: number;
  logLevel: LogLevel;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** JSON logs, one object a line; `log` maps to info. */
export function createJsonLogger(level: LogLevel): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1) });
}

/**
 * A Nest application on Fastify with the behaviour both services share: request ids, body limits,
 * problem+json for every error (including those raised by Fastify before Nest sees the request),
 * JSON logs and graceful shutdown.
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // The app is an API: never trust a client-sent X-Forwarded-For unless configured behind a proxy.
    trustProxy: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: createJsonLogger(options.logLevel),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
  });
  fastify.setErrorHandler((error, request, reply) => {
    const { problem, headers } = toProblem(error, String(request.id), request.url);
    void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}

export function buildOpenApiDocument(
  app: INestApplication,
  options: Pick<HttpAppOptions, 'title' | 'description' | 'version'>,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
