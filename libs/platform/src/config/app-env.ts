import { z } from 'zod';
import { DEFAULT_HTTP_LIMITS as HTTP } from '../http/http-limits';
import { securityEnvSchema } from '../security/security.config';
import { envInt } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/**
 * Variables every HTTP app of this platform reads: HTTP security, environment, log level. Apps
 * extend it with their own (and with kafka-admin's Kafka schemas).
 */
export const baseEnvSchema = securityEnvSchema.extend({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional().default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional().default('log'),
  // Defaults are DEFAULT_HTTP_LIMITS, which an app without these variables gets too.
  // Slow clients (README "Overload and slow clients"): a request must arrive whole in time.
  HTTP_REQUEST_TIMEOUT_MS: envInt(HTTP.requestTimeoutMs, 100, 600_000),
  HTTP_HEADERS_TIMEOUT_MS: envInt(HTTP.headersTimeoutMs, 100, 600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: envInt(HTTP.keepAliveTimeoutMs, 100, 600_000),
  // Shed requests (503 OVERLOADED) while the event loop runs this late; 0 = off.
  HTTP_SHED_EVENT_LOOP_DELAY_MS: envInt(HTTP.shedEventLoopDelayMs, 0, 60_000),
  // Requests handled at once; more are shed (503 OVERLOADED) before their body is read; 0 = off.
  HTTP_MAX_IN_FLIGHT: envInt(HTTP.maxInFlight, 0, 100_000),
  // Bytes of bodies handled at once (Content-Length); more are shed the same way; 0 = off.
  HTTP_MAX_IN_FLIGHT_BYTES: envInt(HTTP.maxInFlightBytes, 0, 1024 * 1024 * 1024),
});
