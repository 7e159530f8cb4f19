import { AppProcess, freePort } from '../support/app-process';
import { postJson } from '../support/http';
import { isolatedEnv } from '../support/isolation';
import { anEvent, expectProblem } from './producer-api.support';

type Body = Record<string, unknown>;

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';
const ORIGIN = 'https://app.example.com';

describe('producer API protection: API keys, rate limit, security headers, CORS', () => {
  const iso = isolatedEnv('api-security');
  let api: AppProcess;
  const one = () => `${api.url}/v1/activities`;

  beforeAll(async () => {
    api = await new AppProcess(
      'producer-api',
      await freePort(),
      {
        ...iso.env,
        API_KEYS: `${KEY_A},${KEY_B}`,
        RATE_LIMIT_MAX: '4',
        RATE_LIMIT_WINDOW_MS: '60000',
        CORS_ORIGINS: ORIGIN,
      },
      iso.label,
    ).start();
  });
  afterAll(() => api?.stop());

  it('answers 401 UNAUTHORIZED without a key or with a wrong one, 202 with a right one', async () => {
    const none = await postJson<Body>(one(), anEvent('u1'));
    expectProblem(none, 401, 'UNAUTHORIZED');
    expect(none.headers.get('www-authenticate')).toBe('ApiKey header="x-api-key"');
    const wrong = await postJson<Body>(one(), anEvent('u1'), { 'x-api-key': `${KEY_A}x` });
    expectProblem(wrong, 401, 'UNAUTHORIZED');
    const right = await postJson<Body>(one(), anEvent('u1'), { 'x-api-key': KEY_B });
    expect(right.status).toBe(202);
  });

  it('keeps health and docs open without a key', async () => {
    for (const path of ['/health/live', '/health/ready', '/docs', '/docs-json']) {
      expect({ path, status: (await fetch(`${api.url}${path}`)).status }).toEqual({
        path,
        status: 200,
      });
    }
  });

  it('answers 429 RATE_LIMITED with Retry-After once a key used its budget, per key', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof postJson<Body>>> | undefined;
    for (let i = 0; i < 6; i += 1) {
      const res = await postJson<Body>(one(), anEvent('u2'), { 'x-api-key': KEY_A });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
    expectProblem(limited!, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // KEY_B has its own budget (it used 1 of 4 in the first test).
    const other = await postJson<Body>(one(), anEvent('u3'), { 'x-api-key': KEY_B });
    expect(other.status).toBe(202);
  });

  it('sends security headers, and CORS headers only to the configured origin', async () => {
    const res = await fetch(`${api.url}/health/live`, { headers: { origin: ORIGIN } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const preflight = await fetch(one(), {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-api-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-api-key');
    const foreign = await fetch(`${api.url}/health/live`, {
      headers: { origin: 'https://evil.example.net' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('throttles key guessing: wrong keys count against the caller address and get 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await postJson<Body>(one(), anEvent('u4'), {
        'x-api-key': `guess-${i}-0123456789`,
      });
      statuses.push(res.status);
    }
    // The address already spent part of its budget of 4 on the 401 test above.
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThanOrEqual(0);
    expect(statuses.slice(0, firstLimited).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true);
  });
});
