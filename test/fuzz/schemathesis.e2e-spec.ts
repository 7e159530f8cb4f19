import { join } from 'node:path';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { getJson, postJson } from '../support/http';
import { REPO_ROOT } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import { FuzzRun, fuzz, installSchemathesis } from './schemathesis.support';

/** The eventId of the documented examples, so that the consumer's example request finds it. */
const EXAMPLE_EVENT_ID = 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7';

/**
 * Schemathesis generates requests from the OpenAPI document each app serves (valid and invalid
 * ones) and checks every answer: no 5xx, a documented status, and a body and content type matching
 * the document, so every error is the documented problem+json. Bounded and seeded (see the script).
 */
describe('the APIs under schemathesis fuzzing', () => {
  const iso = isolatedEnv('fuzz');
  // Rate limit off (the fuzzer would hit it) and API keys off: this suite is about inputs.
  const env = {
    ...iso.env,
    RATE_LIMIT_MAX: '0',
    API_AUTH: 'off',
    LOG_LEVEL: 'warn',
    PRODUCER_API_HOST: '127.0.0.1',
    CONSUMER_HOST: '127.0.0.1',
    // A moving 7-day window cannot be put in a schema: with clamp an old timestamp is stored at
    // the receive time with a warning, so every schema-valid timestamp is accepted.
    PAST_TIMESTAMPS: 'clamp',
  };
  const reports = join(REPO_ROOT, '.infra', 'test-logs', `${iso.label}-schemathesis`);
  let producer: AppProcess;
  let consumer: AppProcess;

  beforeAll(async () => {
    producer = new AppProcess('producer-api', await freePort(), env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), env, iso.label);
    await Promise.all([installSchemathesis(), producer.start(), consumer.start()]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  function expectClean(app: AppProcess, result: FuzzRun): void {
    // Quoted by the closing note of issue 7.
    console.log(
      `schemathesis ${app.name}: ${result.operations} operations, ${result.cases} test cases, ` +
        `${result.failures} failures (exit ${result.exitCode}) in ${result.seconds.toFixed(1)} s`,
    );
    if (result.exitCode !== 0) console.log(result.output);
    expect(result.exitCode).toBe(0);
    expect(result.failures).toBe(0);
    expect(result.operations).toBeGreaterThan(0);
    expect(result.cases).toBeGreaterThan(result.operations);
    expect(app.exitCode).toBeNull();
  }

  it('the producer API answers every generated request as documented, accepting every schema-valid one and rejecting every other', async () => {
    const result = await fuzz(producer.url, join(reports, 'producer-api'), {
      FUZZ_EXTRA_CHECKS: 'positive_data_acceptance,negative_data_rejection',
    });
    expectClean(producer, result);
    // POST single, batch and beacon; GET /health, /health/live and /health/ready.
    expect(result.operations).toBe(6);
  }, 300_000);

  it('the read API answers every generated query as documented, over events the fuzzer stored', async () => {
    // The producer run published events; the documented example id is published here too (the
    // fuzzer's events with it may have been refused), so the example GET finds it and
    // stored documents are checked against the response schemas, not only empty pages.
    const example = {
      userId: 'user123',
      activityType: 'login',
      metadata: { ipAddress: '192.168.1.1' },
    };
    const published = await postJson(`${producer.url}/v1/activities`, {
      eventId: EXAMPLE_EVENT_ID,
      ...example,
    });
    expect(published.status).toBe(202);
    const waitStart = Date.now();
    const stored = await eventually(
      async () =>
        (await getJson(`${consumer.url}/v1/activities/${EXAMPLE_EVENT_ID}`)).status === 200,
      60_000,
    );
    expect(stored).toBe(true);
    const page = await getJson<{ items: unknown[] }>(`${consumer.url}/v1/activities?limit=100`);
    console.log(
      `consumer stored the example event ${Date.now() - waitStart} ms after it was published; ` +
        `${page.body.items.length} events on the first page`,
    );
    expect(page.body.items.length).toBeGreaterThan(1);
    // The read API rejects every schema-violating query (all its parameters are strings).
    const result = await fuzz(consumer.url, join(reports, 'consumer'), {
      FUZZ_EXTRA_CHECKS: 'negative_data_rejection',
    });
    expectClean(consumer, result);
    expect(result.operations).toBe(6);
  }, 300_000);

  // Schemathesis sends them too, but a 400 is a documented answer; "Try it out" must get a 202.
  it('accepts every request example of the producer document', async () => {
    type Doc = { paths: Record<string, { post?: { requestBody?: unknown } }> };
    const doc = await getJson<Doc>(`${producer.url}/docs-json`);
    const sent: string[] = [];
    for (const [path, item] of Object.entries(doc.body.paths)) {
      const body = item.post?.requestBody as
        { content: Record<string, { examples?: Record<string, { value: unknown }> }> } | undefined;
      for (const [name, example] of Object.entries(
        body?.content['application/json']?.examples ?? {},
      )) {
        // The "partial" batch example holds an invalid event on purpose: it is for mode=partial.
        const query = name === 'partial' ? '?mode=partial' : '';
        const res = await postJson(`${producer.url}${path}${query}`, example.value);
        expect({ path, name, status: res.status }).toEqual({ path, name, status: 202 });
        sent.push(`${path} ${name}`);
      }
    }
    expect(sent.length).toBeGreaterThanOrEqual(3);
  });

  // Requests schemathesis does not make: each once got fastify's own JSON or a silent 200.
  it('answers hostile URLs and query keys on both apps with a problem+json, never a 200 or 5xx', async () => {
    const cases: [AppProcess, string, number, string][] = [
      [consumer, '/v1/activities/%ff%fe', 400, 'MALFORMED_REQUEST'],
      [consumer, '/v1/users/%E0%A4%A/activities', 400, 'MALFORMED_REQUEST'],
      [producer, '/v1/activities%ff', 400, 'MALFORMED_REQUEST'],
      [consumer, `/v1/activities/${'a'.repeat(200)}`, 414, 'MALFORMED_REQUEST'],
      [consumer, `/v1/activities?userId=${'a'.repeat(20_000)}`, 431, 'MALFORMED_REQUEST'],
      [producer, `/health?x=${'a'.repeat(20_000)}`, 431, 'MALFORMED_REQUEST'],
      [consumer, '/v1/activities?__proto__=x', 400, 'VALIDATION_ERROR'],
      [consumer, '/v1/activities?constructor=x', 400, 'VALIDATION_ERROR'],
      [consumer, '/v1/activities?hasOwnProperty=1', 400, 'VALIDATION_ERROR'],
      [consumer, '/v1/activities?userId[$ne]=x', 400, 'VALIDATION_ERROR'],
      [consumer, '/v1/users/u1/activities?userId=u2', 400, 'VALIDATION_ERROR'],
      [consumer, '/v1/activities?limit=1&limit=2', 400, 'VALIDATION_ERROR'],
    ];
    for (const [app, path, status, code] of cases) {
      const res = await fetch(`${app.url}${path}`, {
        method: app === producer && path.startsWith('/v1') ? 'POST' : 'GET',
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect({ path: path.slice(0, 60), status: res.status }).toEqual({
        path: path.slice(0, 60),
        status,
      });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({ status, code });
      expect([body.type, body.title, body.detail].map((v) => typeof v)).toEqual([
        'string',
        'string',
        'string',
      ]);
      expect(body.requestId).toBe(res.headers.get('x-request-id'));
    }
    const unknown = await getJson<{ errors: { field: string; rule: string }[] }>(
      `${consumer.url}/v1/activities?__proto__=x&constructor=y`,
    );
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: '__proto__', rule: 'unknownField' }),
      expect.objectContaining({ field: 'constructor', rule: 'unknownField' }),
    ]);
    expect([producer.exitCode, consumer.exitCode]).toEqual([null, null]);
  });
});
