import { Logger } from '@nestjs/common';
import { loggedIp } from './mask-ip';

/** What the hooks read of a Fastify request and reply (structural: Nest bundles its own Fastify). */
export interface RequestLike {
  id: unknown;
  method: string;
  url: string;
  ip: string;
  routeOptions: { url?: string };
}
export interface ReplyLike {
  statusCode: number;
  elapsedTime: number;
  getHeader(name: string): unknown;
}
export interface OnResponseHost {
  addHook(
    name: 'onResponse',
    hook: (request: RequestLike, reply: ReplyLike, done: () => void) => void,
  ): unknown;
}

export interface RequestLoggingOptions {
  /** LOG_MASK_IPS: log the client's network, not its address. */
  maskIps: boolean;
}

// Orchestrator probes and scrapes arrive every few seconds; they go to debug, whatever their status.
const QUIET = /^\/(health|metrics)(\/|$|\?)/;

/** One structured line per answered request: request id, route template, status, latency, client. */
export function requestLogLine(
  request: RequestLike,
  reply: ReplyLike,
  options: RequestLoggingOptions,
): Record<string, unknown> {
  return {
    msg: 'request completed',
    requestId: String(request.id),
    method: request.method,
    route: request.routeOptions.url ?? null,
    path: request.url.split('?')[0],
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    ip: loggedIp(request.ip, options.maskIps),
  };
}

/** Registers the request log on a Fastify instance (call once, before the app listens). */
export function registerRequestLogging(
  fastify: OnResponseHost,
  options: RequestLoggingOptions,
  logger: Pick<Logger, 'log' | 'warn' | 'error' | 'debug'> = new Logger('HTTP'),
): void {
  // A callback hook, not an async one: it runs on every request (so does the metrics hook).
  fastify.addHook('onResponse', (request, reply, done) => {
    const line = requestLogLine(request, reply, options);
    // A failed probe's cause is logged by HealthCheckLogger; its 503 line adds nothing at info.
    if (QUIET.test(request.url)) logger.debug(line);
    // A 503 that tells the client when to retry (shed load, a dependency down) is a state the
    // service reports by design; its cause, if any, is logged where it is known.
    else if (reply.statusCode === 503 && reply.getHeader('retry-after') !== undefined)
      logger.warn(line);
    else if (reply.statusCode >= 500) logger.error(line);
    else logger.log(line);
    done();
  });
}
