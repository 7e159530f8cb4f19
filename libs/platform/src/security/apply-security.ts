import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { ErrorCode } from '@app/contracts';
import { ProblemException } from '../http/problem.exception';
import { ApiKeyVerifier, isOpenPath } from './api-keys';
import { SecuritySettings } from './security.config';

export const API_KEY_HEADER = 'x-api-key';
/** Query parameter of the API key, on beacon routes only (sendBeacon cannot set headers). */
export const BEACON_API_KEY_PARAM = 'apiKey';

interface KeyedRequest {
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
  routeOptions: { url?: string };
}

/**
 * The API key a request presents: its x-api-key header, or on a beacon route the apiKey query
 * parameter. A key in a URL ends up in browser history, proxy and CDN access logs and Referer
 * headers; our own logs record the path without the query, and problem bodies redact it.
 */
export function presentedApiKey(request: KeyedRequest, beaconRoutes: readonly string[]): unknown {
  const header = request.headers[API_KEY_HEADER];
  if (header !== undefined || !beaconRoutes.includes(request.routeOptions.url ?? '')) return header;
  const query = request.query as Record<string, unknown> | undefined;
  return query?.[BEACON_API_KEY_PARAM];
}

/** The URL with a beacon API key replaced, for problem bodies and error logs. */
export const redactApiKey = (url: string): string =>
  url.replace(new RegExp(`([?&]${BEACON_API_KEY_PARAM}=)[^&#]*`, 'g'), '$1REDACTED');

/**
 * The headers helmet sets for these options, read once from its middleware. They depend on the
 * options only (no CSP nonce or other per-request directive here), so every response can get the
 * same object instead of running the middleware per request: @fastify/helmet rebuilt it (and
 * re-parsed the CSP) on every request, and even built once its 13 `setHeader` calls were the
 * largest part of the security work in the producer's single-event profile (README, Performance).
 * Throws at boot if helmet ever answers asynchronously or with an error.
 */
export function securityHeaders(
  options: Readonly<HelmetOptions>,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    // X-Powered-By: Fastify never sets it.
    removeHeader: () => undefined,
  };
  let finished = false;
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    if (error instanceof Error) throw error;
    if (error !== undefined) throw new Error('helmet refused its options');
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return Object.freeze(headers);
}

/**
 * Security headers, CORS, rate limit and API keys, registered before any route so that every
 * route gets them. Rejections are thrown as ProblemExceptions and rendered as problem+json by the
 * app's error handler, like every other error.
 */
export async function applySecurity(
  app: NestFastifyApplication,
  settings: SecuritySettings,
  beaconRoutes: readonly string[] = [],
): Promise<void> {
  const keys = new ApiKeyVerifier(settings.apiKeys);
  // One fastify in the tree: package.json overrides Nest's pinned copy with the root version.
  const fastify = app.getHttpAdapter().getInstance();
  // Helmet's defaults already allow what Swagger UI needs (own scripts, inline styles, data:
  // images); upgrading requests to https would break /docs served over plain http.
  const headers = securityHeaders({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  // A callback hook: it runs on every request. Fastify validates the headers once, when it writes
  // them; helmet's middleware set each one on the raw response (13 validated setHeader calls).
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
  if (settings.corsOrigins.length > 0) {
    app.enableCors({
      origin: settings.corsOrigins.includes('*') ? '*' : settings.corsOrigins,
      methods: ['GET', 'POST'],
      // content-encoding: the client SDK gzips bodies; idempotency-key: single-event retries.
      allowedHeaders: [
        'content-type',
        'content-encoding',
        'idempotency-key',
        API_KEY_HEADER,
        'x-request-id',
      ],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }
  if (settings.rateLimit.max > 0) {
    await fastify.register(rateLimit, {
      global: true,
      max: settings.rateLimit.max,
      timeWindow: settings.rateLimit.windowMs,
      allowList: (request) => isOpenPath(request.url),
      // Per key when a valid one is presented, else per client address.
      keyGenerator: (request) => {
        const key = keys.match(presentedApiKey(request, beaconRoutes));
        return key >= 0 ? `key:${key}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) => {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
        return new ProblemException(
          429,
          ErrorCode.RATE_LIMITED,
          `more than ${context.max} requests in ${context.after}; retry in ${seconds} s`,
          undefined,
          { 'retry-after': String(seconds) },
        );
      },
    });
  }
  if (keys.enabled) {
    // preParsing runs after every onRequest hook, so failed attempts count against the caller's
    // rate limit (key guessing is throttled per IP), and still before the body is read.
    // A callback hook, not an async one: it runs on every request.
    fastify.addHook('preParsing', (request, _reply, payload, done) => {
      if (isOpenPath(request.url) || request.method === 'OPTIONS') return done(null, payload);
      if (keys.match(presentedApiKey(request, beaconRoutes)) < 0) {
        return done(
          new ProblemException(
            401,
            ErrorCode.UNAUTHORIZED,
            `a valid ${API_KEY_HEADER} header is required`,
            undefined,
            { 'www-authenticate': `ApiKey header="${API_KEY_HEADER}"` },
          ),
        );
      }
      done(null, payload);
    });
  }
}
