import { AppProcess, freePort } from '../support/app-process';
import { getJson } from '../support/http';
import { isolatedEnv, withMongo } from '../support/isolation';
import { TestEvent, makeEvents, publish, waitForStored } from './consumer.support';

interface Page {
  items: {
    eventId: string;
    userId: string;
    activityType: string;
    timestamp: string;
    _id?: unknown;
  }[];
  nextCursor: string | null;
}
interface Problem {
  code: string;
  errors?: { field: string; rule: string }[];
}

const BASE = Date.now() - 3_600_000;
/** 300 events 10 ms apart over 3 users; later inserts land between them (at +5 ms). */
const initial: TestEvent[] = makeEvents('read', 300, 3, BASE).map((e, i) => ({
  ...e,
  activityType: ['login', 'page_view', 'purchase'][i % 5 === 0 ? 0 : i % 2 === 0 ? 1 : 2],
  timestamp: new Date(BASE + i * 10).toISOString(),
}));

describe('the read API', () => {
  const iso = isolatedEnv('consumer-read');
  let producer: AppProcess;
  let consumer: AppProcess;

  beforeAll(async () => {
    producer = new AppProcess('producer-api', await freePort(), iso.env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), iso.env, iso.label);
    await Promise.all([producer.start(), consumer.start()]);
    await publish(producer.url, initial);
    await waitForStored(iso.mongoUri, initial.length, 60_000);
  });

  afterAll(async () => {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  /** Follows nextCursor to the end; `between` runs after each page. */
  async function allPages(query: string, between?: () => Promise<void>): Promise<Page['items']> {
    const items: Page['items'] = [];
    let cursor: string | null = null;
    do {
      const sep = query ? '&' : '';
      const url: string = `${consumer.url}/v1/activities?${query}${cursor ? `${sep}cursor=${cursor}` : ''}`;
      const res: { status: number; body: Page } = await getJson<Page>(url);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      await between?.();
    } while (cursor);
    return items;
  }

  const newestFirst = (events: TestEvent[]) =>
    [...events].sort((a, b) => b.timestamp.localeCompare(a.timestamp)).map((e) => e.eventId);

  it('filters by user, type and time range, newest first, across pages', async () => {
    const user = 'read-user-1';
    const byUser = await allPages(`userId=${user}&limit=7`);
    expect(byUser.map((i) => i.eventId)).toEqual(
      newestFirst(initial.filter((e) => e.userId === user)),
    );
    expect(byUser.every((i) => i._id === undefined)).toBe(true);

    const purchases = await allPages('activityType=purchase&limit=50');
    expect(purchases.map((i) => i.eventId)).toEqual(
      newestFirst(initial.filter((e) => e.activityType === 'purchase')),
    );

    const from = initial[100].timestamp;
    const to = initial[200].timestamp;
    const ranged = await allPages(`from=${from}&to=${to}&limit=100`);
    expect(ranged.map((i) => i.eventId)).toEqual(newestFirst(initial.slice(100, 200)));

    const viaUserPath = await getJson<Page>(
      `${consumer.url}/v1/users/${user}/activities?limit=100`,
    );
    expect(viaUserPath.body.items.map((i) => i.eventId)).toEqual(byUser.map((i) => i.eventId));
  });

  it('documents the endpoints and their query parameters in OpenAPI', async () => {
    const doc = await getJson<{
      paths: Record<string, { get?: { parameters?: { name: string }[] } }>;
    }>(`${consumer.url}/docs-json`);
    const list = doc.body.paths['/v1/activities']?.get?.parameters?.map((p) => p.name) ?? [];
    expect(list.sort()).toEqual(['activityType', 'cursor', 'from', 'limit', 'to', 'userId']);
    expect(doc.body.paths['/v1/activities/{eventId}']).toBeDefined();
    expect(doc.body.paths['/v1/users/{userId}/activities']).toBeDefined();
  });

  it('serves one event by id without the database _id, and 404 with a code for an unknown id', async () => {
    const one = await getJson<Page['items'][number]>(
      `${consumer.url}/v1/activities/${initial[5].eventId}`,
    );
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ eventId: initial[5].eventId, userId: initial[5].userId });
    expect(one.body._id).toBeUndefined();
    const missing = await getJson<Problem>(`${consumer.url}/v1/activities/evt_does_not_exist`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['from=yesterday', 'from'],
    ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['activityType=Not%20A%20Type', 'activityType'],
    ['colour=blue', 'colour'],
  ])('rejects %s with 400 VALIDATION_ERROR naming the field', async (query, field) => {
    const res = await getJson<Problem>(`${consumer.url}/v1/activities?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.errors?.map((e) => e.field)).toContain(field);
  });

  it('pages without repeats or gaps while new events keep arriving', async () => {
    // New events interleave with the existing ones in time, before and after any cursor.
    const late = makeEvents('late', 200, 3, BASE).map((e, i) => ({
      ...e,
      timestamp: new Date(BASE + 5 + i * 15).toISOString(),
    }));
    let sent = 0;
    const items = await allPages('limit=20', async () => {
      if (sent < late.length) {
        await publish(producer.url, late.slice(sent, sent + 25));
        sent += 25;
        // Stored before the next page is read: the inserts really happen between pages.
        await waitForStored(iso.mongoUri, initial.length + sent, 30_000);
      }
    });
    expect(sent).toBe(late.length);
    const ids = items.map((i) => i.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    const seen = new Set(ids);
    expect(initial.filter((e) => !seen.has(e.eventId))).toEqual([]);
    const stamps = items.map((i) => i.timestamp);
    expect([...stamps].sort().reverse()).toEqual(stamps);
  });
});
