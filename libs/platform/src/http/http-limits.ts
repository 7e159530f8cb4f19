import { createServer, type RequestListener, type Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@app/contracts';
import { isOpenPath } from '../security/api-keys';
import type { AdmissionGate } from './admission';
import { ProblemException } from './problem.exception';

/** How long a client may take, and when the app sheds load (HTTP_* variables). */
export interface HttpLimits {
  /** The whole request, headers and body: a body that never finishes is cut (408). */
  requestTimeoutMs: number;
  /** The request line and headers: headers sent a byte at a time are cut (408). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * Requests are answered 503 OVERLOADED (Retry-After: 1) while the event loop ran this much
   * late in the last sample window; 0 turns it off. Health, metrics and docs are never shed.
   */
  shedEventLoopDelayMs: number;
  /**
   * Requests being handled at once (read, parsed, waiting for Kafka); more are answered 503
   * OVERLOADED before their body is read, and their connection is closed so the client stops
   * uploading it. 0 = no limit.
   */
  maxInFlight: number;
  /**
   * Bytes of request bodies being handled at once (declared Content-Length; a body without one
   * counts as `unsizedBodyBytes`). A request that would go above it is shed like one above
   * `maxInFlight`, unless nothing else is in flight, so a body up to the body limit always gets
   * in. This is what bounds the wait of accepted batches: a count of requests does not know a
   * 100 KB batch from a 200-byte event. 0 = no limit.
   */
  maxInFlightBytes: number;
  /** What a chunked body (no Content-Length) counts for: the body limit, its worst case. */
  unsizedBodyBytes?: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5000,
  keepAliveTimeoutMs: 5000,
  shedEventLoopDelayMs: 500,
  maxInFlight: 128,
  maxInFlightBytes: 1024 * 1024,
};

/**
 * The HTTP server, made here so that Node checks its timeouts every second (Node's default, every
 * 30 s, lets a slow client hold a connection up to 30 s past its deadline). The timeouts
 * themselves come from the configuration, applied once the app is built (applyHttpLimits).
 */
export function serverFactory(handler: RequestListener): Server {
  return createServer({ connectionsCheckingInterval: 1000 }, handler);
}

const SAMPLE_MS = 250;

/**
 * Event-loop lateness over the last two sample windows (their maximum: a stall is seen whichever
 * window recorded it, and shedding does not flap between windows). Requests that arrive while the
 * loop is this late are answered before their body is read: an overloaded API answers some
 * requests fast with 503 instead of all of them slowly, and its memory stays bounded.
 */
export class EventLoopLag {
  private readonly histogram = monitorEventLoopDelay({ resolution: 20 });
  private windows: [number, number] = [0, 0];
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.windows = [this.windows[1], this.histogram.max / 1e6];
      this.histogram.reset();
    }, SAMPLE_MS).unref();
  }

  get ms(): number {
    return Math.max(...this.windows, this.histogram.max / 1e6);
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}

export function applyHttpLimits(
  fastify: FastifyInstance,
  limits: HttpLimits,
  gate: AdmissionGate | null = null,
): void {
  const server = fastify.server;
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const lag = limits.shedEventLoopDelayMs > 0 ? new EventLoopLag() : null;
  let inFlight = 0;
  let inFlightBytes = 0;
  fastify.addHook('onClose', (_instance, done) => {
    lag?.stop();
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (isOpenPath(request.url)) return done();
    const bytes = bodyBytes(request.headers, limits.unsizedBodyBytes ?? 0);
    const late = lag !== null && lag.ms > limits.shedEventLoopDelayMs;
    const full =
      (limits.maxInFlight > 0 && inFlight >= limits.maxInFlight) ||
      (limits.maxInFlightBytes > 0 &&
        inFlight > 0 &&
        inFlightBytes + bytes > limits.maxInFlightBytes);
    // The first reason to shed: the loop, the bounds, then the app's own gates.
    const why = late
      ? `event loop ${Math.round(lag.ms)} ms late`
      : full
        ? `${inFlight} requests, ${inFlightBytes} bytes in progress`
        : (gate?.refusal({
            method: request.method,
            route: request.routeOptions.url,
            headers: request.headers,
          }) ?? null);
    if (why === null) {
      const response = reply.raw;
      // A client already gone holds nothing.
      if (response.destroyed) return done();
      inFlight += 1;
      inFlightBytes += bytes;
      // Released when the response closes: answered, or its connection gone. Fastify's
      // onResponse and onRequestAbort hooks both miss a client that disconnects after sending its
      // whole body and before the answer (its response never finishes, and the request was not
      // aborted); each such request held its place for good, and ten 100 KB batches left behind
      // by clients that went away made the API refuse every batch until it restarted.
      response.once('close', () => {
        inFlight -= 1;
        inFlightBytes -= bytes;
      });
      return done();
    }
    // The body is not wanted: closing the connection stops the client from sending it.
    void reply.header('connection', 'close');
    done(
      new ProblemException(
        503,
        ErrorCode.OVERLOADED,
        `the service is overloaded (${why}); retry in 1 s`,
        undefined,
        { 'retry-after': '1' },
      ),
    );
  });
}

function bodyBytes(
  headers: Record<string, string | string[] | undefined>,
  unsized: number,
): number {
  const length = headers['content-length'];
  if (typeof length === 'string') {
    const n = Number(length);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return headers['transfer-encoding'] ? unsized : 0;
}
