import { gunzipSync } from 'node:zlib';
import { ActivityClient, ActivityClientOptions, newClientEventId } from './client';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: { events: { eventId: string; userId: string }[]; sentAt: string };
}

/** A fake API: answers each request from `script` in turn (then 202), recording what it got. */
function fakeApi(script: { status: number; retryAfter?: string }[] = []) {
  const sent: Sent[] = [];
  const fetch: ActivityClientOptions['fetch'] = async (url, init) => {
    const raw =
      init.headers['content-encoding'] === 'gzip'
        ? gunzipSync(init.body).toString()
        : String(init.body);
    const body = JSON.parse(raw) as Sent['body'];
    sent.push({ url, headers: init.headers, body });
    const next = script.shift() ?? { status: 202 };
    const answer =
      next.status === 202
        ? {
            accepted: body.events.length,
            rejected: 0,
            results: body.events.map((e, index) => ({ index, status: 'accepted', ...e })),
          }
        : { code: 'OVERLOADED', status: next.status };
    return {
      status: next.status,
      headers: {
        get: (name: string) => (name === 'retry-after' ? (next.retryAfter ?? null) : null),
      },
      text: async () => JSON.stringify(answer),
    };
  };
  return { sent, fetch };
}

const event = (userId: string) => ({ userId, activityType: 'page_view' });

describe('ActivityClient', () => {
  const sleeps: number[] = [];
  const base = (fetch: ActivityClientOptions['fetch']): ActivityClientOptions => ({
    endpoint: 'http://api.test/',
    apiKey: 'k'.repeat(20),
    fetch,
    flushIntervalMs: 60_000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  beforeEach(() => sleeps.splice(0));

  it('gives every event a client eventId in the API format, reused by every retry', async () => {
    const api = fakeApi([{ status: 503 }, { status: 500 }]);
    const client = new ActivityClient(base(api.fetch));
    const ids = [client.track(event('u1')), client.track(event('u2'))];
    expect(ids[0]).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    const stats = await client.close();
    expect(api.sent).toHaveLength(3);
    for (const request of api.sent) expect(request.body.events.map((e) => e.eventId)).toEqual(ids);
    expect(api.sent[0].url).toBe('http://api.test/v1/activities/batch?mode=partial');
    expect(api.sent[0].headers['x-api-key']).toBe('k'.repeat(20));
    expect(stats).toEqual(expect.objectContaining({ acknowledged: 2, retries: 2, failed: 0 }));
  });

  it('backs off exponentially with full jitter, and waits at least Retry-After on 429/503', async () => {
    const api = fakeApi([
      { status: 500 },
      { status: 500 },
      { status: 429, retryAfter: '3' },
      { status: 503, retryAfter: '1' },
    ]);
    const client = new ActivityClient({ ...base(api.fetch), baseBackoffMs: 100 });
    client.track(event('u1'));
    await client.close();
    // random 0.5 of 100, 200, (400 vs 3 s), (800 vs 1 s)
    expect(sleeps).toEqual([50, 100, 3000, 1000]);
  });

  it('holds at most maxQueueSize events, dropping the oldest and counting them', async () => {
    const api = fakeApi();
    const client = new ActivityClient({ ...base(api.fetch), maxQueueSize: 3, maxBatchSize: 10 });
    const ids = ['a', 'b', 'c', 'd', 'e'].map((u) => client.track(event(u)));
    expect(client.stats).toEqual(expect.objectContaining({ queued: 3, dropped: 2 }));
    await client.close();
    expect(api.sent[0].body.events.map((e) => e.eventId)).toEqual(ids.slice(2));
  });

  it('flushes by size at once, and close() resolves only when everything was acknowledged', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const api = fakeApi();
    const slow: ActivityClientOptions['fetch'] = async (url, init) => {
      await gate;
      return api.fetch(url, init);
    };
    const client = new ActivityClient({ ...base(slow), maxBatchSize: 2 });
    client.track(event('u1'));
    client.track(event('u2')); // a full batch: sent without waiting for the interval
    client.track(event('u3'));
    let closed = false;
    const closing = client.close().then((s) => {
      closed = true;
      return s;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ closed, inFlight: client.stats.inFlight }).toEqual({ closed: false, inFlight: 2 });
    release();
    expect(await closing).toEqual(
      expect.objectContaining({ acknowledged: 3, queued: 0, inFlight: 0 }),
    );
    expect(api.sent.map((s) => s.body.events.length)).toEqual([2, 1]);
  });

  it('gzips bodies above compressMinBytes (CompressionStream), sends sentAt, gives up on 4xx', async () => {
    const api = fakeApi([{ status: 400 }]);
    const errors: string[] = [];
    const client = new ActivityClient({
      ...base(api.fetch),
      compressMinBytes: 0,
      onError: (e) => errors.push(`${e.status} ${e.eventIds.length}`),
    });
    client.track(event('u1'));
    expect(await client.close()).toEqual(expect.objectContaining({ failed: 1, retries: 0 }));
    expect(api.sent[0].headers['content-encoding']).toBe('gzip');
    expect(Date.parse(api.sent[0].body.sentAt)).toBeGreaterThan(Date.now() - 5000);
    expect(errors).toEqual(['400 1']);
  });

  it('makes unique, time-ordered ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newClientEventId()));
    expect(ids.size).toBe(1000);
    expect(newClientEventId(1) < newClientEventId(2 ** 40)).toBe(true);
  });
});
