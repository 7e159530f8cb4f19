import { readFileSync } from 'node:fs';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { getJson, postJson } from '../support/http';
import { KAFKA_BROKERS } from '../support/infra';
import { isolatedEnv } from '../support/isolation';
import { readTopic } from '../consumer/consumer.support';
import { deleteTopicsWithPrefix } from '../kafka-admin/kafka-admin.support';

type Body = Record<string, unknown>;
interface Outcome {
  index: number;
  status: 'accepted' | 'rejected';
  eventId?: string;
  code?: string;
  errors?: { field: string }[];
}

const event = (userId: string, eventId: string, extra: Body = {}) => ({
  eventId,
  userId,
  activityType: 'page_view',
  metadata: { path: '/p' },
  ...extra,
});

describe('transactional produce calls and the partial batch mode', () => {
  const iso = isolatedEnv('transactions');
  const running: AppProcess[] = [];
  const start = async (env: Record<string, string>, label: string) => {
    const app = new AppProcess('producer-api', await freePort(), { ...iso.env, ...env }, label);
    running.push(app);
    return app.start();
  };
  afterAll(async () => {
    await Promise.all(running.map((a) => a.stop()));
    await deleteTopicsWithPrefix(iso.prefix);
  });

  it('publishes the 497 valid events of a partial batch of 500 in one transaction and reports the 3 invalid ones by index and code', async () => {
    const api = await start(
      { PRODUCER_TRANSACTIONS: 'on', PRODUCER_TRANSACTIONAL_ID: `${iso.label}-partial` },
      `${iso.label}-partial`,
    );
    const events: Body[] = Array.from({ length: 500 }, (_, i) =>
      event(`tx-user-${i % 25}`, `tx-partial-${String(i).padStart(4, '0')}`),
    );
    events[7] = { ...events[7], activityType: 'teleport' };
    events[250] = { ...events[250], timestamp: 'yesterday' };
    events[499] = { ...events[499], userId: '' };
    const res = await postJson<{ accepted: number; rejected: number; results: Outcome[] }>(
      `${api.url}/v1/activities/batch?mode=partial`,
      { events },
    );
    expect(res.status).toBe(202);
    expect([res.body.accepted, res.body.rejected]).toEqual([497, 3]);
    const refused = res.body.results.filter((r) => r.status === 'rejected');
    expect(refused.map((r) => [r.index, r.code, r.errors?.[0]?.field])).toEqual([
      [7, 'VALIDATION_ERROR', 'activityType'],
      [250, 'VALIDATION_ERROR', 'timestamp'],
      [499, 'VALIDATION_ERROR', 'userId'],
    ]);
    // read_committed: the transaction's records, all of them.
    const onTopic = await readTopic(KAFKA_BROKERS, iso.topic, 497, 60_000);
    const ids = new Set(onTopic.map((r) => r.headers.eventId));
    expect(ids.size).toBe(497);
    expect(
      ids.has('tx-partial-0007') || ids.has('tx-partial-0250') || ids.has('tx-partial-0499'),
    ).toBe(false);
  });

  it('rejects an unknown mode and unknown query parameters with 400 naming them', async () => {
    const api = running[0];
    const bad = await postJson<Body>(`${api.url}/v1/activities/batch?mode=most`, {
      events: [event('u', 'tx-mode-0001')],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('mode');
    const unknown = await postJson<{ errors: { field: string; rule: string }[] }>(
      `${api.url}/v1/activities/batch?colour=red`,
      { events: [event('u', 'tx-mode-0002')] },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: 'colour', rule: 'unknownField' }),
    ]);
  });

  it('fences the older of two instances with one transactional id: it stops publishing, says why and is not ready; nothing acknowledged is lost', async () => {
    const shared = {
      PRODUCER_TRANSACTIONS: 'on',
      PRODUCER_TRANSACTIONAL_ID: `${iso.label}-shared`,
    };
    const older = await start(shared, `${iso.label}-older`);
    const first = await postJson<Body>(`${older.url}/v1/activities`, event('f1', 'tx-fence-0001'));
    expect(first.status).toBe(202);
    const newer = await start(shared, `${iso.label}-newer`);
    const second = await postJson<Body>(`${newer.url}/v1/activities`, event('f2', 'tx-fence-0002'));
    expect(second.status).toBe(202);

    const refused = await postJson<Body>(
      `${older.url}/v1/activities`,
      event('f3', 'tx-fence-0003'),
    );
    expect(refused.status).toBe(503);
    expect(
      await eventually(async () => {
        const ready = await getJson<Body>(`${older.url}/health/ready`);
        return (
          ready.status === 503 && JSON.stringify(ready.body).includes('PRODUCER_TRANSACTIONAL_ID')
        );
      }, 10_000),
    ).toBe(true);
    expect(readFileSync(older.logFile, 'utf8')).toMatch(
      /producer fenced.*PRODUCER_TRANSACTIONAL_ID/,
    );
    const third = await postJson<Body>(`${newer.url}/v1/activities`, event('f4', 'tx-fence-0004'));
    expect(third.status).toBe(202);

    const records = await readTopic(
      KAFKA_BROKERS,
      iso.topic,
      (r) => r.filter((x) => x.headers.eventId?.startsWith('tx-fence-')).length >= 3,
      60_000,
    );
    const fence = records.map((r) => r.headers.eventId).filter((id) => id?.startsWith('tx-fence-'));
    expect(fence.sort()).toEqual(['tx-fence-0001', 'tx-fence-0002', 'tx-fence-0004']);
  });
});
