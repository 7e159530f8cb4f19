import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
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
  // images); upgrading requests to https would break /docs served over plain http. Built once:
  // @fastify/helmet rebuilds this middleware (and re-parses the CSP) on every request, which
  // showed up in the producer's CPU profile.
  const securityHeaders = helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  fastify.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) =>
      done(error instanceof Error ? error : undefined),
    ),
  );
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
    fastify.addHook('preParsing', async (request, _reply, payload) => {
      if (isOpenPath(request.url) || request.method === 'OPTIONS') return payload;
      if (keys.match(presentedApiKey(request, beaconRoutes)) < 0) {
        throw new ProblemException(
          401,
          ErrorCode.UNAUTHORIZED,
          `a valid ${API_KEY_HEADER} header is required`,
          undefined,
          { 'www-authenticate': `ApiKey header="${API_KEY_HEADER}"` },
        );
      }
      return payload;
    });
  }
}
