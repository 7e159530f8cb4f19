import Fastify, { FastifyError, FastifyInstance } from 'fastify';
import { CodedError } from '@app/contracts';
import { useStrictJsonBodies } from './json-body';

describe('useStrictJsonBodies', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    useStrictJsonBodies(app, 1024 * 1024);
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const coded = error instanceof CodedError ? error : undefined;
      void reply.status(coded ? 400 : (error.statusCode ?? 500)).send({
        code: coded?.code ?? error.code,
        detail: error.message,
        issues: coded?.issues,
      });
    });
    app.post('/', async (request) => ({ got: request.body }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string | Buffer, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/', payload, headers: { 'content-type': contentType } });

  it('parses JSON, charset parameter or not', async () => {
    expect((await post('{"a":[1,"é"]}')).json()).toEqual({ got: { a: [1, 'é'] } });
    expect((await post('{"a":1}', 'application/json; charset=utf-8')).json()).toEqual({
      got: { a: 1 },
    });
  });

  it('refuses every other content type with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      expect((await post('{"a":1}', type)).statusCode).toBe(415);
    }
  });

  it('says what is wrong: empty, not UTF-8, not JSON', async () => {
    expect((await post('')).json()).toMatchObject({ code: 'MALFORMED_REQUEST' });
    expect((await post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).json()).toMatchObject({
      detail: 'the body is not valid UTF-8',
    });
    expect((await post('{"a":')).json()).toMatchObject({
      code: 'MALFORMED_REQUEST',
      detail: expect.stringMatching(/^the body is not valid JSON: /) as unknown,
    });
  });

  it('rejects __proto__ keys at any depth, naming them, but not the word inside a string', async () => {
    const res = await post('{"a":[{"__proto__":{"x":1}}],"__proto__":{}}');
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_ERROR',
      issues: [
        expect.objectContaining({ field: 'a[0].__proto__' }),
        expect.objectContaining({ field: '__proto__' }),
      ],
    });
    expect((await post('{"note":"__proto__"}')).json()).toEqual({ got: { note: '__proto__' } });
  });
});

describe('useStrictJsonBodies with beacon routes', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    useStrictJsonBodies(app, 1024, ['/beacon']);
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      void reply.status(error instanceof CodedError ? 400 : (error.statusCode ?? 500)).send({
        detail: error.message,
      });
    });
    app.post('/beacon', async (request) => ({ got: request.body }));
    app.post('/', async (request) => ({ got: request.body }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (url: string, payload: string) =>
    app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });

  it('parses text/plain as strict JSON on a beacon route only, 415 elsewhere', async () => {
    expect((await post('/beacon', '{"a":1}')).json()).toEqual({ got: { a: 1 } });
    expect((await post('/beacon', '{"a":')).statusCode).toBe(400);
    expect((await post('/beacon', 'x'.repeat(2000))).statusCode).toBe(413);
    const elsewhere = await post('/', '{"a":1}');
    expect({ status: elsewhere.statusCode, body: elsewhere.json<unknown>() }).toEqual({
      status: 415,
      body: { detail: 'Unsupported Media Type' },
    });
  });
});
