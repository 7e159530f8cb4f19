import { AppProcess, freePort } from '../support/app-process';
import { postJson } from '../support/http';
import { isolatedEnv } from '../support/isolation';
import { anEvent, expectProblem, postRaw } from './producer-api.support';

type Body = Record<string, unknown>;

describe('producer API: every bad request gets a specific problem+json answer', () => {
  const iso = isolatedEnv('api-errors');
  let api: AppProcess;
  const one = () => `${api.url}/v1/activities`;
  const batch = () => `${api.url}/v1/activities/batch`;

  beforeAll(async () => {
    api = await new AppProcess(
      'producer-api',
      await freePort(),
      {
        ...iso.env,
        HTTP_BODY_LIMIT_BYTES: String(64 * 1024),
        BATCH_MAX_EVENTS: '20',
        BATCH_MAX_BYTES: '4096',
      },
      iso.label,
    ).start();
  });
  afterAll(() => api?.stop());

  it('400 VALIDATION_ERROR names an unknown field', async () => {
    const res = await postJson<Body>(one(), anEvent('u1', { colour: 'red' }));
    expect(expectProblem(res, 400, 'VALIDATION_ERROR').errors).toEqual([
      { field: 'colour', rule: 'unknownField', message: 'unknown field "colour"' },
    ]);
  });

  it('400 VALIDATION_ERROR names a bad IP address', async () => {
    const res = await postJson<Body>(
      one(),
      anEvent('u1', { metadata: { ipAddress: '999.1.1.1' } }),
    );
    expect(expectProblem(res, 400, 'VALIDATION_ERROR').errors).toEqual([
      { field: 'metadata.ipAddress', rule: 'isIP', message: 'must be an IPv4 or IPv6 address' },
    ]);
  });

  it('400 VALIDATION_ERROR for a version that is not semantic, or a bad client eventId', async () => {
    const version = await postJson<Body>(one(), anEvent('u1', { version: 'one' }));
    expect(expectProblem(version, 400, 'VALIDATION_ERROR').errors).toEqual([
      expect.objectContaining({ field: 'version', rule: 'semver' }),
    ]);
    const id = await postJson<Body>(one(), anEvent('u1', { eventId: 'bad id!' }));
    expect(expectProblem(id, 400, 'VALIDATION_ERROR').errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'eventId', rule: 'matches' })]),
    );
  });

  it('400 UNSUPPORTED_SCHEMA_VERSION for another major version', async () => {
    const res = await postJson<Body>(one(), anEvent('u1', { version: '2.0.0' }));
    expect(expectProblem(res, 400, 'UNSUPPORTED_SCHEMA_VERSION').errors).toEqual([
      expect.objectContaining({ field: 'version', rule: 'supportedMajor' }),
    ]);
  });

  it('400 MALFORMED_REQUEST for a body that is not JSON', async () => {
    const res = await postRaw(one(), '{"userId": ', 'application/json');
    expectProblem(res, 400, 'MALFORMED_REQUEST');
  });

  it('400 names invalid batch events by index, and accepts none of the batch', async () => {
    const res = await postJson<Body>(batch(), {
      events: [anEvent('u1'), anEvent('u2', { activityType: 'teleport' }), anEvent('u3', { x: 1 })],
    });
    const body = expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(body.detail).toBe('2 of 3 events are invalid; none was accepted');
    expect(body.errors).toEqual([
      expect.objectContaining({ field: 'events[1].activityType', rule: 'isIn' }),
      expect.objectContaining({ field: 'events[2].x', rule: 'unknownField' }),
    ]);
    const dup = await postJson<Body>(batch(), {
      events: [
        anEvent('u1', { eventId: 'dup-id-0001' }),
        anEvent('u2', { eventId: 'dup-id-0001' }),
      ],
    });
    expect(expectProblem(dup, 400, 'VALIDATION_ERROR').errors).toEqual([
      expect.objectContaining({ field: 'events[1].eventId', rule: 'unique' }),
    ]);
  });

  it('400 for hostile bodies: invalid UTF-8, empty, __proto__/constructor keys, wrong types, deep metadata', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"userId":"u1","activityType":"login","metadata":{"note":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]);
    expect(
      expectProblem(await postRaw(one(), bad, 'application/json'), 400, 'MALFORMED_REQUEST').detail,
    ).toBe('the body is not valid UTF-8');
    expect(
      expectProblem(await postRaw(one(), '', 'application/json'), 400, 'MALFORMED_REQUEST').detail,
    ).toBe('the body is empty; send a JSON value');
    const proto = await postRaw(
      one(),
      '{"userId":"u1","activityType":"login","metadata":{"a":{"__proto__":{"admin":true}}}}',
      'application/json',
    );
    expect(expectProblem(proto, 400, 'VALIDATION_ERROR').errors).toEqual([
      {
        field: 'metadata.a.__proto__',
        message: 'key "__proto__" is not allowed',
        rule: 'forbiddenKey',
      },
    ]);
    const ctor = await postJson<Body>(
      one(),
      anEvent('u1', { constructor: { prototype: { x: 1 } } }),
    );
    expect(expectProblem(ctor, 400, 'VALIDATION_ERROR').errors).toEqual([
      expect.objectContaining({ field: 'constructor', rule: 'forbiddenKey' }),
    ]);
    const types = await postJson<Body>(one(), {
      userId: 123,
      activityType: ['login'],
      timestamp: 5,
    });
    const fields = (
      expectProblem(types, 400, 'VALIDATION_ERROR').errors as { field: string }[]
    ).map((e) => e.field);
    expect(new Set(fields)).toEqual(new Set(['userId', 'activityType', 'timestamp']));
    const deep = await postJson<Body>(
      one(),
      anEvent('u1', { metadata: { a: { b: { c: { d: 1 } } } } }),
    );
    expect(expectProblem(deep, 400, 'VALIDATION_ERROR').errors).toEqual([
      expect.objectContaining({ field: 'metadata.a.b.c', rule: 'maxDepth' }),
    ]);
    const huge = await postJson<Body>(one(), anEvent('x'.repeat(5000)));
    expect(expectProblem(huge, 400, 'VALIDATION_ERROR').errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'userId', rule: 'isLength' })]),
    );
    for (const value of ['[1,2]', '"text"', 'null', '42']) {
      expectProblem(await postRaw(one(), value, 'application/json'), 400, 'VALIDATION_ERROR');
    }
  });

  it('413 PAYLOAD_TOO_LARGE above the body limit', async () => {
    const res = await postRaw(
      one(),
      JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
      'application/json',
    );
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('413 BATCH_TOO_LARGE above the event count or the byte bound', async () => {
    const count = await postJson<Body>(batch(), {
      events: Array.from({ length: 21 }, (_, i) => anEvent(`u${i}`)),
    });
    expect(expectProblem(count, 413, 'BATCH_TOO_LARGE').detail).toBe(
      'a batch holds at most 20 events; got 21',
    );
    const big = { note: 'y'.repeat(1000) };
    const bytes = await postJson<Body>(batch(), {
      events: Array.from({ length: 5 }, (_, i) => anEvent(`u${i}`, { metadata: big })),
    });
    expect(expectProblem(bytes, 413, 'BATCH_TOO_LARGE').detail).toMatch(
      /^a batch holds at most 4096 bytes of events; got \d+$/,
    );
  });

  it('415 UNSUPPORTED_MEDIA_TYPE for text, form and missing content types', async () => {
    const event = JSON.stringify(anEvent('u1'));
    expectProblem(await postRaw(one(), event, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(
      await postRaw(one(), 'userId=u1', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(
      await postRaw(batch(), Buffer.from(event), undefined),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('404 NOT_FOUND for an unknown route, in the same shape', async () => {
    expectProblem(await postJson<Body>(`${api.url}/v1/nothing`, {}), 404, 'NOT_FOUND');
  });

  it('405 METHOD_NOT_ALLOWED with an Allow header for a known path under another method', async () => {
    for (const [method, url, allow] of [
      ['DELETE', one(), 'POST'],
      ['GET', batch(), 'POST'],
      ['PUT', `${api.url}/health/ready`, 'GET, HEAD'],
    ] as const) {
      const res = await fetch(url, { method });
      const text = await res.text();
      const problem = expectProblem(
        { status: res.status, headers: res.headers, body: JSON.parse(text) as Body },
        405,
        'METHOD_NOT_ALLOWED',
      );
      expect({ method, allow: res.headers.get('allow') }).toEqual({ method, allow });
      expect(problem.detail).toContain(`allowed: ${allow}`);
      // The security headers are on error answers too.
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses to start with a compression codec that is not installed, naming the variable', async () => {
    const app = new AppProcess(
      'producer-api',
      await freePort(),
      { ...iso.env, PRODUCER_COMPRESSION: 'zstd' },
      `${iso.label}-zstd`,
    );
    const { code, log } = await app.startExpectingExit(30_000);
    expect(code).toBe(1);
    expect(log).toContain(
      'PRODUCER_COMPRESSION: "zstd" needs the kafkajs codec package @kafkajs/zstd',
    );
    expect(log).not.toMatch(/\bat .+\.js:\d+/);
  });
});
