import autocannon from 'autocannon';
import { batchBodies, singleBodies } from './events';
import { inFreshProcess } from './fresh-process';
import { openLoopInChild } from './open-loop';

export interface HttpLoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  requestsPerSec: number;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Open loop only: answers by status, and the p99 of the answers that were not 2xx. */
  statuses?: Record<string, number>;
  nonOkP99Ms?: number;
}

export interface ClosedLoopOptions {
  url: string;
  bodies: string[];
  eventsPerRequest: number;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; absent = as fast as the server answers. */
  rate?: number;
}

/**
 * POSTs the bodies in turn, each connection sending its next request when answered. Runs in the
 * process that calls it; the bench calls it in a fresh one (closedLoopInChild).
 */
export async function closedLoop(opts: ClosedLoopOptions): Promise<HttpLoadResult> {
  let n = 0;
  const result = await autocannon({
    url: opts.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    requests: [
      { setupRequest: (req) => ({ ...req, body: opts.bodies[n++ % opts.bodies.length] }) },
    ],
  });
  const ok = result['2xx'];
  return {
    requests: ok,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    requestsPerSec: ok / result.duration,
    eventsPerSec: (ok * opts.eventsPerRequest) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}

/** closedLoop in a fresh Node process (see inFreshProcess). */
export function closedLoopInChild(opts: ClosedLoopOptions): Promise<HttpLoadResult> {
  return inFreshProcess({ kind: 'closed-loop', opts });
}

/** Single POSTs on a steady schedule (open loop, see openLoop); latency from each due time. */
export function singleAtRate(base: string, rate: number, connections: number, seconds: number) {
  return openLoopInChild({
    url: `${base}/v1/activities`,
    bodies: singleBodies(5000),
    eventsPerRequest: 1,
    rate,
    seconds,
    maxConnections: connections,
  });
}

/**
 * Single POSTs, each connection sending its next when answered: as fast as they go, or with a
 * `rate` through autocannon's `overallRate` (a per-connection budget per second, so bursts at
 * full speed; see openLoop), kept as a second figure because earlier runs reported that one.
 */
export function singleClosedLoop(
  base: string,
  connections: number,
  seconds: number,
  rate?: number,
) {
  const bodies = singleBodies(5000);
  return closedLoopInChild({
    url: `${base}/v1/activities`,
    bodies,
    eventsPerRequest: 1,
    connections,
    seconds,
    rate,
  });
}

export function batchMax(base: string, size: number, connections: number, seconds: number) {
  const bodies = batchBodies(20, size);
  return closedLoopInChild({
    url: `${base}/v1/activities/batch`,
    bodies,
    eventsPerRequest: size,
    connections,
    seconds,
  });
}
