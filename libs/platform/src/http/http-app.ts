import { randomUUID } from 'node:crypto';
import { ConsoleLogger, DynamicModule, Logger, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerRequestLogging } from '../logging/request-logging';
import { applySecurity } from '../security/apply-security';
import { answerWrongMethodWith405 } from './method-not-allowed';
import { ConfigurationError } from '../config/env';
import { PLATFORM_OPTIONS } from '../platform.module';
import { clientErrorAsProblem, frameworkErrorAsProblem } from './framework-errors';
import { HttpAdmission } from './admission';
import { DEFAULT_HTTP_LIMITS, applyHttpLimits, serverFactory } from './http-limits';
import { decodeRequestBodies } from './content-encoding';
import { useStrictJsonBodies } from './json-body';
import { TrustedProxies } from './trusted-proxies';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

/** JSON logs, one object a line; `log` maps to info. */
export function createJsonLogger(level: LogLevel): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1) });
}

/**
 * A Nest application on Fastify with the behaviour both services share: request ids, body limits,
 * JSON bodies only (415 otherwise), compressed or not, security (headers, CORS, rate limit, API keys), problem+json
 * for every error (including those raised by Fastify before Nest sees the request), JSON logs
 * and graceful shutdown. The module must import PlatformModule: every setting comes from its
 * options, i.e. from the app's one validated configuration.
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
): Promise<NestFastifyApplication> {
  const proxies = new TrustedProxies();
  const adapter = new FastifyAdapter({
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Client addresses (rate limit, logs) come from X-Forwarded-For only via configured proxies.
    trustProxy: proxies.trusts,
    // Errors raised before routing (a URL that is not valid percent-encoding, a path parameter
    // over the length limit) or by Node's HTTP parser are problem+json too.
    frameworkErrors: frameworkErrorAsProblem,
    clientErrorHandler: clientErrorAsProblem,
    // Node checks request timeouts every second (see http-limits.ts).
    serverFactory,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    // Nest's own start-up lines wait for the configured JSON logger (below). When the app cannot
    // be built (a configuration error) they are dropped: main prints the reason alone.
    bufferLogs: true,
    autoFlushLogs: false,
    // A configuration error rejects here (and main exits 1 with the message); Nest would abort.
    abortOnError: false,
    // Nest would add a form-urlencoded parser; JSON (fastify's own parser) is the only body type.
    bodyParser: false,
  });
  const options = app.get(PLATFORM_OPTIONS);
  app.useLogger(createJsonLogger(options.logLevel));
  app.flushLogs();
  proxies.configure(options.security.trustProxy);
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only (text/plain would otherwise reach validation as a string): anything else is a 415.
  const beaconRoutes = options.http.beaconRoutes ?? [];
  useStrictJsonBodies(fastify, options.http.bodyLimitBytes, beaconRoutes);
  applyHttpLimits(fastify, options.http.limits ?? DEFAULT_HTTP_LIMITS, app.get(HttpAdmission));
  const shutdown = { closing: false };
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', String(request.id));
    // While closing, answers end their keep-alive connection so the server can finish closing.
    if (shutdown.closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  // Errors Fastify raises itself (body limits, parsers) reach Nest's error handler, which Nest
  // installs at init, and from it the ProblemFilter (APP_FILTER): problem+json like the rest.
  await applySecurity(app, options.security, beaconRoutes);
  // gzip, deflate and br bodies, limited by their decoded size; after the API-key hook.
  decodeRequestBodies(fastify, options.http.bodyLimitBytes);
  answerWrongMethodWith405(fastify);
  registerRequestLogging(fastify, { maskIps: options.security.maskIps });
  closeGracefullyOnSignals(app, shutdown);
  return app;
}

/**
 * Nest's own shutdown hooks run module destroy hooks (which disconnect Kafka) before the server
 * stops. Here the server stops accepting first and in-flight requests finish, then Nest closes.
 */
function closeGracefullyOnSignals(
  app: NestFastifyApplication,
  shutdown: { closing: boolean },
): void {
  const logger = new Logger('Shutdown');
  const close = async (signal: NodeJS.Signals): Promise<void> => {
    if (shutdown.closing) return;
    shutdown.closing = true;
    logger.log({ msg: 'shutting down: no new requests; finishing in-flight ones', signal });
    setTimeout(() => {
      logger.error({ msg: 'shutdown took too long; exiting', timeoutMs: SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    await app.getHttpAdapter().getInstance().close();
    await app.close();
    logger.log({ msg: 'shut down', signal });
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      close(signal).catch((error: unknown) => {
        logger.error({ msg: 'shutdown failed', error: String(error) });
        process.exit(1);
      });
    });
  }
}

/**
 * What main prints when the app cannot start: a configuration error is the user's to fix and is
 * shown as its message alone (it names the variables); anything else is a bug or an outage, shown
 * with its stack.
 */
export function startupFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error instanceof ConfigurationError ? error.message : (error.stack ?? error.message);
}
