import Fastify from 'fastify';
import { registerRequestLogging } from './request-logging';

type Line = Record<string, unknown>;
const sink = () => ({
  error: jest.fn<void, [Line]>(),
  warn: jest.fn<void, [Line]>(),
  log: jest.fn<void, [Line]>(),
  debug: jest.fn<void, [Line]>(),
});

async function appWith(maskIps: boolean, logger: ReturnType<typeof sink>) {
  const app = Fastify({ genReqId: () => 'req-1' });
  registerRequestLogging(app, { maskIps }, logger);
  app.get('/v1/activities/:id', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  app.get('/health/ready', async () => ({ status: 'ok' }));
  app.get('/busy', async (_request, reply) => {
    void reply.status(503).header('retry-after', '1');
    return { code: 'OVERLOADED' };
  });
  await app.ready();
  return app;
}

describe('request logging', () => {
  it('logs one line per request with request id, route template, status and masked client', async () => {
    const logger = sink();
    const app = await appWith(true, logger);
    await app.inject({
      method: 'GET',
      url: '/v1/activities/evt_1?x=secret',
      remoteAddress: '203.0.113.9',
    });
    expect(logger.log).toHaveBeenCalledTimes(1);
    const line = logger.log.mock.calls[0][0];
    expect(line).toMatchObject({
      msg: 'request completed',
      requestId: 'req-1',
      method: 'GET',
      route: '/v1/activities/:id',
      path: '/v1/activities/evt_1',
      status: 200,
      ip: '203.0.113.0',
    });
    expect(typeof line.durationMs).toBe('number');
    await app.close();
  });

  it('logs the full client address when masking is off', async () => {
    const logger = sink();
    const app = await appWith(false, logger);
    await app.inject({ method: 'GET', url: '/v1/activities/a', remoteAddress: '203.0.113.9' });
    expect(logger.log.mock.calls[0][0]).toMatchObject({ ip: '203.0.113.9' });
    await app.close();
  });

  it('logs server errors at error level and probes at debug level', async () => {
    const logger = sink();
    const app = await appWith(true, logger);
    await app.inject({ method: 'GET', url: '/boom' });
    await app.inject({ method: 'GET', url: '/health/ready' });
    expect(logger.error.mock.calls[0][0]).toMatchObject({ status: 500, route: '/boom' });
    expect(logger.debug.mock.calls[0][0]).toMatchObject({ route: '/health/ready' });
    expect(logger.log).not.toHaveBeenCalled();
    await app.close();
  });

  it('logs a 503 that says when to retry (shed load) at warn level, not as a server error', async () => {
    const logger = sink();
    const app = await appWith(true, logger);
    await app.inject({ method: 'GET', url: '/busy' });
    expect(logger.warn.mock.calls[0][0]).toMatchObject({ status: 503, route: '/busy' });
    expect(logger.error).not.toHaveBeenCalled();
    await app.close();
  });
});
