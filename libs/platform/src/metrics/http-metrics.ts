import type { OnResponseHost } from '../logging/request-logging';
import { Metrics } from './metrics';

/** Label for requests no route matched: keeps scanners' random paths out of the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts every answered request and its latency by method, route *template* (never the raw path,
 * which would make one series per event id) and status code.
 */
export function registerHttpMetrics(fastify: OnResponseHost, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
