import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess, freePort, sleep } from '../support/app-process';
import { getJson, postJson } from '../support/http';
import { KAFKA_BROKERS, REPO_ROOT } from '../support/infra';
import { isolatedEnv } from '../support/isolation';
import { TopicRecord, anEvent, countRecords, readTopic } from './producer-api.support';

interface Accepted {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

const USERS = Array.from({ length: 37 }, (_, i) => `user-${i}`);

describe('producer API: events answered 202 are on the topic as reported', () => {
  const iso = isolatedEnv('ingest');
  let api: AppProcess;

  beforeAll(async () => {
    api = await new AppProcess('producer-api', await freePort(), iso.env, iso.label).start();
  });
  afterAll(() => api?.stop());

  it('publishes 1,000 events (single and batch) with the right key, partition, offset, headers and value', async () => {
    const sent = new Map<string, Record<string, unknown>>();
    const accepted: Accepted[] = [];
    const requestIds = new Map<string, string>();
    const post = async (path: string, body: unknown) => {
      const res = await postJson<Accepted | { results: Accepted[] }>(`${api.url}${path}`, body);
      expect(res.status).toBe(202);
      const results = 'results' in res.body ? res.body.results : [res.body];
      for (const r of results) requestIds.set(r.eventId, res.headers.get('x-request-id') ?? '');
      accepted.push(...results);
      return results;
    };
    // 100 single requests, 10 at a time; the first 50 carry a client-chosen eventId.
    for (let round = 0; round < 10; round += 1) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const n = round * 10 + j;
          const event = anEvent(
            USERS[n % USERS.length],
            n < 50 ? { eventId: `client-${iso.label}-${n}` } : {},
          );
          const [result] = await post('/v1/activities', event);
          if (n < 50) expect(result.eventId).toBe(event.eventId);
          sent.set(result.eventId, event);
        }),
      );
    }
    // 900 in batches of 100, sent 3 at a time.
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(
        Array.from({ length: 3 }, async (_, j) => {
          const events = Array.from({ length: 100 }, (_, k) =>
            anEvent(USERS[(round * 300 + j * 100 + k) % USERS.length]),
          );
          const results = await post('/v1/activities/batch', { events });
          expect(results).toHaveLength(100);
          results.forEach((r, k) => sent.set(r.eventId, events[k]));
        }),
      );
    }
    expect(accepted).toHaveLength(1000);
    expect(new Set(accepted.map((a) => a.eventId)).size).toBe(1000);

    const records = await readTopic(KAFKA_BROKERS, iso.topic, 1000);
    expect(records).toHaveLength(1000);
    const byId = new Map<string, TopicRecord>(records.map((r) => [String(r.value.eventId), r]));
    const mismatches = accepted.filter((a) => {
      const record = byId.get(a.eventId);
      const event = sent.get(a.eventId) ?? {};
      return !(
        record &&
        a.topic === iso.topic &&
        record.partition === a.partition &&
        record.offset === a.offset &&
        record.key === event.userId &&
        record.value.userId === event.userId &&
        record.value.activityType === event.activityType &&
        JSON.stringify(record.value.metadata) === JSON.stringify(event.metadata) &&
        record.value.version === '1.0.0' &&
        typeof record.value.timestamp === 'string' &&
        record.headers.eventId === a.eventId &&
        record.headers.source === 'api' &&
        record.headers.schemaVersion === '1.0.0' &&
        record.headers.contentType === 'application/json' &&
        record.headers.correlationId === requestIds.get(a.eventId) &&
        !Number.isNaN(Date.parse(record.headers.timestamp))
      );
    });
    expect(mismatches).toEqual([]);

    // Same user, same partition: per-user order is the partition's order.
    const partitionsByUser = new Map<string, Set<number>>();
    for (const r of records) {
      partitionsByUser.set(r.key, (partitionsByUser.get(r.key) ?? new Set()).add(r.partition));
    }
    expect(partitionsByUser.size).toBe(USERS.length);
    expect([...partitionsByUser.values()].filter((p) => p.size !== 1)).toEqual([]);
    expect(new Set(records.map((r) => r.partition)).size).toBe(3);
  });

  it('fills eventId, timestamp and version when they are omitted', async () => {
    const before = Date.now();
    const res = await postJson<Accepted>(`${api.url}/v1/activities`, {
      userId: 'defaults-user',
      activityType: 'login',
    });
    expect(res.status).toBe(202);
    expect(res.body.eventId).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    const all = await readTopic(KAFKA_BROKERS, iso.topic, 1001);
    const record = all.find((r) => r.value.eventId === res.body.eventId);
    expect(record?.value).toEqual({
      eventId: res.body.eventId,
      userId: 'defaults-user',
      activityType: 'login',
      timestamp: expect.any(String) as unknown,
      metadata: {},
      version: '1.0.0',
    });
    const ts = Date.parse(String(record?.value.timestamp));
    expect(ts).toBeGreaterThanOrEqual(before - 1000);
    expect(ts).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('serves Swagger UI and the same OpenAPI document that is checked in', async () => {
    const ui = await fetch(`${api.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const served = await getJson(`${api.url}/docs-json`);
    const checkedIn: unknown = JSON.parse(
      readFileSync(join(REPO_ROOT, 'docs', 'openapi', 'producer-api.json'), 'utf8'),
    );
    expect(served.body).toEqual(checkedIn);
  });

  it('on SIGTERM answers the sends in flight, loses none of them, and exits 0', async () => {
    type Answer = { status: number; body: { results?: Accepted[] } };
    const answers: Answer[] = [];
    let stopping = false;
    // Four clients posting batches back to back, so requests are in flight when the signal lands.
    const clients = Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; !stopping || i === 0; i += 1) {
        const events = Array.from({ length: 50 }, (_, k) => anEvent(USERS[(c + i + k) % 37]));
        const answer = await postJson<Answer['body']>(`${api.url}/v1/activities/batch`, {
          events,
        }).catch((): Answer => ({ status: 0, body: {} }));
        answers.push(answer);
        if (answer.status !== 202) return;
      }
    });
    await sleep(600);
    stopping = true;
    await api.stop('SIGTERM');
    await Promise.all(clients);
    expect(api.exitCode).toBe(0);

    // 0 = refused (after the listener closed), 503 = arrived while closing; never a 500.
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => ![0, 202, 503].includes(s))).toEqual([]);
    const log = readFileSync(api.logFile, 'utf8').split('\n');
    const signalAt = log.findIndex((l) => l.includes('shutting down'));
    const answeredAfterSignal = log
      .slice(signalAt)
      .filter((l) => l.includes('request completed') && l.includes('"status":202')).length;
    expect(signalAt).toBeGreaterThan(0);
    expect(answeredAfterSignal).toBeGreaterThan(0);

    const accepted = answers.flatMap((a) => (a.status === 202 ? (a.body.results ?? []) : []));
    const onTopic = await readTopic(
      KAFKA_BROKERS,
      iso.topic,
      await countRecords(KAFKA_BROKERS, iso.topic),
    );
    const ids = new Set(onTopic.map((r) => String(r.value.eventId)));
    expect(accepted.filter((a) => !ids.has(a.eventId))).toEqual([]);
    process.stderr.write(
      `[shutdown] ${accepted.length} events acknowledged, ${answeredAfterSignal} requests answered 202 after SIGTERM; statuses after: ${statuses.slice(-4).join(',')}\n`,
    );
  });
});
