import Fastify, { FastifyInstance } from 'fastify';
import { answerWrongMethodWith405 } from './method-not-allowed';
import { ProblemException } from './problem.exception';

describe('answerWrongMethodWith405', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    answerWrongMethodWith405(app);
    app.setErrorHandler((error, _request, reply) => {
      const problem = error instanceof ProblemException ? error : undefined;
      void reply
        .status(problem?.getStatus() ?? 500)
        .headers(problem?.headers ?? {})
        .send({ code: problem?.code, detail: problem?.detail });
    });
    app.post('/v1/activities', async () => ({ ok: true }));
    app.get('/v1/activities/:eventId', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers 405 with Allow naming the methods the path has', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/v1/activities?x=1' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json()).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      detail: 'DELETE is not supported on /v1/activities; allowed: POST',
    });
  });

  it('matches parameterised paths, HEAD included for GET routes', async () => {
    const res = await app.inject({ method: 'PUT', url: '/v1/activities/evt_1' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('leaves unknown paths and matched routes alone', async () => {
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/v1/activities' })).statusCode).toBe(200);
  });
});
