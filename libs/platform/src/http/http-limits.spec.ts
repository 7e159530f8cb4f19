import { request } from 'node:http';
import Fastify, { FastifyInstance } from 'fastify';
import type { AdmissionGate, AdmissionRequest } from './admission';
import { type HttpLimits, applyHttpLimits } from './http-limits';

/** What the app's ProblemFilter does with the ProblemException: status, headers, message. */
function answerAsProblemFilter(fastify: FastifyInstance): void {
  fastify.setErrorHandler(
    (
      error: Error & { getStatus?: () => number; headers?: Record<string, string> },
      _req,
      reply,
    ) => {
      void reply
        .status(error.getStatus?.() ?? 500)
        .headers(error.headers ?? {})
        .send({ message: error.message });
    },
  );
}

/** Generous timeouts and no shedding, but for the bounds a test sets. */
const limits = (bounds: Partial<HttpLimits>): HttpLimits => ({
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5000,
  keepAliveTimeoutMs: 5000,
  shedEventLoopDelayMs: 0,
  maxInFlight: 0,
  maxInFlightBytes: 0,
  ...bounds,
});

const busy = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Holds the event loop, as an overloaded app does.
  }
};

describe('load shedding on event-loop lag', () => {
  it('answers 503 with Retry-After while the loop runs late, but never sheds health probes', async () => {
    const fastify = Fastify();
    fastify.get('/v1/things', async () => ({ ok: true }));
    fastify.get('/health/live', async () => ({ status: 'ok' }));
    applyHttpLimits(fastify, limits({ shedEventLoopDelayMs: 50 }));
    answerAsProblemFilter(fastify);
    await fastify.ready();
    try {
      expect((await fastify.inject({ url: '/v1/things' })).statusCode).toBe(200);
      // A late loop shows in the next sample window (250 ms).
      await new Promise((r) => setTimeout(r, 10));
      busy(300);
      await new Promise((r) => setTimeout(r, 100));
      const shed = await fastify.inject({ url: '/v1/things' });
      expect(shed.statusCode).toBe(503);
      expect(shed.headers['retry-after']).toBe('1');
      expect((await fastify.inject({ url: '/health/live' })).statusCode).toBe(200);
      // Back to normal once a window passes without lag (polled: a busy test machine may
      // itself make a window late, which must shed too).
      let status = 0;
      for (let tries = 0; tries < 30 && status !== 200; tries += 1) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await fastify.inject({ url: '/v1/things' })).statusCode;
      }
      expect(status).toBe(200);
    } finally {
      await fastify.close();
    }
  });
});

describe('load shedding on requests in flight', () => {
  it('answers 503 OVERLOADED and closes the connection once the in-flight bound is reached', async () => {
    const fastify = Fastify();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    fastify.get('/v1/slow', async () => {
      await held;
      return { ok: true };
    });
    applyHttpLimits(fastify, limits({ maxInFlight: 2 }));
    answerAsProblemFilter(fastify);
    await fastify.ready();
    try {
      const first = fastify.inject({ url: '/v1/slow' });
      const second = fastify.inject({ url: '/v1/slow' });
      await new Promise((r) => setTimeout(r, 20));
      const third = await fastify.inject({ url: '/v1/slow' });
      expect(third.statusCode).toBe(503);
      expect(third.headers.connection).toBe('close');
      release();
      expect((await first).statusCode).toBe(200);
      expect((await second).statusCode).toBe(200);
      expect((await fastify.inject({ url: '/v1/slow' })).statusCode).toBe(200);
    } finally {
      await fastify.close();
    }
  });
});

describe('load shedding on bytes in flight', () => {
  it('sheds a body that would go above the bound, yet admits one when nothing else is in flight', async () => {
    const fastify = Fastify({ bodyLimit: 4 * 1024 * 1024 });
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    fastify.post('/v1/slow', async () => {
      await held;
      return { ok: true };
    });
    applyHttpLimits(fastify, limits({ maxInFlightBytes: 1024 * 1024 }));
    answerAsProblemFilter(fastify);
    await fastify.ready();
    const body = (bytes: number) => ({
      method: 'POST' as const,
      url: '/v1/slow',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(bytes - 10) }),
    });
    try {
      // Larger than the bound on its own: admitted, since nothing else is in flight.
      const big = fastify.inject(body(1536 * 1024));
      await new Promise((r) => setTimeout(r, 20));
      const shed = await fastify.inject(body(600 * 1024));
      expect(shed.statusCode).toBe(503);
      expect(shed.json<{ message: string }>().message).toMatch(/bytes in progress/);
      release();
      expect((await big).statusCode).toBe(200);
      expect((await fastify.inject(body(600 * 1024))).statusCode).toBe(200);
    } finally {
      await fastify.close();
    }
  });
});

describe('what a request holds of the bounds', () => {
  it('is given back when its client disconnects before the answer, whole body sent', async () => {
    const fastify = Fastify();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let started: () => void = () => undefined;
    const handling = new Promise<void>((r) => (started = r));
    fastify.post('/v1/slow', async () => {
      started();
      await held;
      return { ok: true };
    });
    applyHttpLimits(fastify, limits({ maxInFlight: 1 }));
    answerAsProblemFilter(fastify);
    const url = new URL(await fastify.listen({ port: 0, host: '127.0.0.1' }));
    const post = { method: 'POST', url: '/v1/slow', payload: { a: 1 } } as const;
    try {
      // A client that sends its whole body, then goes away while the handler waits (a timeout,
      // a closed tab, a load generator that exits).
      const gone = request({
        host: url.hostname,
        port: url.port,
        path: '/v1/slow',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      gone.on('error', () => undefined);
      gone.end(JSON.stringify({ a: 1 }));
      await handling;
      expect((await fastify.inject(post)).statusCode).toBe(503);
      gone.destroy();
      await new Promise((r) => setTimeout(r, 50));
      release();
      await new Promise((r) => setTimeout(r, 50));
      const next = await fastify.inject(post);
      expect(next.statusCode).toBe(200);
      // And the next one again: each answered request gives its place back too.
      expect((await fastify.inject(post)).statusCode).toBe(200);
    } finally {
      await fastify.close();
    }
  });
});

describe('load shedding on the app’s own admission gate', () => {
  it('answers 503 OVERLOADED with the gate’s reason before the body is read, and admits once the gate does', async () => {
    const fastify = Fastify();
    const parsed: unknown[] = [];
    fastify.post('/v1/things/:kind', async (request) => {
      parsed.push(request.body);
      return { ok: true };
    });
    fastify.get('/health/ready', async () => ({ status: 'ok' }));
    const seen: AdmissionRequest[] = [];
    let saturated = true;
    const gate: AdmissionGate = {
      refusal: (request) => {
        seen.push(request);
        return saturated ? '12 records wait for Kafka' : null;
      },
    };
    applyHttpLimits(fastify, limits({}), gate);
    answerAsProblemFilter(fastify);
    await fastify.ready();
    const post = () =>
      fastify.inject({
        method: 'POST',
        url: '/v1/things/batch',
        headers: { 'content-type': 'application/json', 'x-tenant': 't1' },
        payload: JSON.stringify({ events: [1, 2, 3] }),
      });
    try {
      const shed = await post();
      expect(shed.statusCode).toBe(503);
      expect(shed.headers['retry-after']).toBe('1');
      expect(shed.headers.connection).toBe('close');
      expect(shed.json<{ message: string }>().message).toBe(
        'the service is overloaded (12 records wait for Kafka); retry in 1 s',
      );
      expect(parsed).toEqual([]);
      expect(seen[0]).toMatchObject({ method: 'POST', route: '/v1/things/:kind' });
      expect(seen[0].headers['x-tenant']).toBe('t1');
      // Probes are never asked about.
      expect((await fastify.inject({ url: '/health/ready' })).statusCode).toBe(200);
      expect(seen).toHaveLength(1);
      saturated = false;
      expect((await post()).statusCode).toBe(200);
      expect(parsed).toEqual([{ events: [1, 2, 3] }]);
    } finally {
      await fastify.close();
    }
  });
});
