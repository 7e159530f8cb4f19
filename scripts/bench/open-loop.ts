import { Agent, request } from 'node:http';
import { inFreshProcess } from './fresh-process';
import type { HttpLoadResult } from './ingest';
import { percentile } from './stats';

export interface OpenLoopOptions {
  url: string;
  bodies: string[];
  eventsPerRequest: number;
  /** Requests per second, started on a fixed schedule whatever the answers take. */
  rate: number;
  seconds: number;
  /** Keep-alive connections at most; a request with none free waits (and that wait counts). */
  maxConnections: number;
}

/**
 * An open-loop load: request i is due at start + i / rate and its latency runs from that due time
 * to the end of its answer, so a stall of the server (or of this client) shows in full instead of
 * slowing the load down (no coordinated omission). autocannon's `overallRate` is not that: each
 * connection sends back to back until its per-second budget is spent and then waits for the next
 * second, so 1,000 req/s arrives as a burst at full speed in the first part of every second.
 */
export async function openLoop(opts: OpenLoopOptions): Promise<HttpLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxConnections });
  const target = new URL(opts.url);
  const total = Math.round(opts.rate * opts.seconds);
  const latencies: number[] = [];
  const nonOkLatencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let settled = 0;
  let lastEnd = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const settle = (due: number, status?: number): void => {
    const end = performance.now();
    lastEnd = end;
    statuses[status ?? 'error'] = (statuses[status ?? 'error'] ?? 0) + 1;
    if (status === undefined) errors += 1;
    else if (status >= 200 && status < 300) {
      ok += 1;
      latencies.push(end - due);
    } else {
      non2xx += 1;
      nonOkLatencies.push(end - due);
    }
    settled += 1;
    if (settled === total) finish();
  };
  const send = (i: number, due: number): void => {
    const body = opts.bodies[i % opts.bodies.length];
    // A request can report both an answer and a socket error: count it once.
    let counted = false;
    const once = (status?: number): void => {
      if (counted) return;
      counted = true;
      settle(due, status);
    };
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => once(res.statusCode));
        res.on('error', () => once());
      },
    );
    req.on('error', () => once());
    req.end(body);
  };
  const start = performance.now();
  const interval = 1000 / opts.rate;
  const tick = (): void => {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      send(sent, start + sent * interval);
      sent += 1;
    }
    if (sent < total) setTimeout(tick, 1);
  };
  tick();
  await done;
  agent.destroy();
  const seconds = (lastEnd - start) / 1000;
  return {
    requests: ok,
    non2xx,
    errors,
    seconds,
    requestsPerSec: ok / seconds,
    eventsPerSec: (ok * opts.eventsPerRequest) / seconds,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    // Not Math.max(...latencies): spreading a long run's samples overflows the call stack.
    maxMs: round(latencies.reduce((max, l) => Math.max(max, l), -Infinity)),
    statuses,
    nonOkP99Ms: nonOkLatencies.length > 0 ? round(percentile(nonOkLatencies, 99)) : undefined,
  };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** openLoop in a fresh Node process (see inFreshProcess). */
export function openLoopInChild(opts: OpenLoopOptions): Promise<HttpLoadResult> {
  return inFreshProcess({ kind: 'open-loop', opts });
}
