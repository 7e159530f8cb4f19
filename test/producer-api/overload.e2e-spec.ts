import { readFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { postJson } from '../support/http';
import { KAFKA_BROKERS } from '../support/infra';
import { isolatedEnv } from '../support/isolation';
import { readTopic } from '../consumer/consumer.support';
import { deleteTopicsWithPrefix } from '../kafka-admin/kafka-admin.support';
import { anEvent } from './producer-api.support';

/** A raw client that sends `head`, then whatever `drip` sends; keeps what the server answers. */
function rawClient(port: number, head: string) {
  const socket: Socket = connect(port, '127.0.0.1');
  const state = { answer: '', closed: false };
  socket.on('data', (d) => (state.answer += d.toString()));
  socket.on('close', () => (state.closed = true));
  socket.on('error', () => undefined);
  socket.write(head);
  return { socket, state };
}

describe('slow clients and more load than Kafka takes', () => {
  const iso = isolatedEnv('overload');
  let api: AppProcess;
  afterAll(async () => {
    await api?.stop();
    await deleteTopicsWithPrefix(iso.prefix);
  });

  /** The topic's records whose eventId starts with `prefix`, once at least `count` are there. */
  const recordsWithIds = async (prefix: string, count: number) =>
    (
      await readTopic(
        KAFKA_BROKERS,
        iso.topic,
        (r) => r.filter((x) => x.headers.eventId?.startsWith(prefix)).length >= count,
        60_000,
      )
    ).filter((r) => r.headers.eventId?.startsWith(prefix));

  beforeAll(async () => {
    api = await new AppProcess(
      'producer-api',
      await freePort(),
      {
        ...iso.env,
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '3000',
        PRODUCER_MAX_PENDING_RECORDS: '300',
        RATE_LIMIT_MAX: '0',
      },
      iso.label,
    ).start();
  });

  it('cuts connections that send headers a byte at a time (408) while normal clients are served', async () => {
    const slow = Array.from({ length: 60 }, () =>
      rawClient(api.port, 'POST /v1/activities HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '),
    );
    const drip = setInterval(() => {
      for (const c of slow) if (!c.state.closed) c.socket.write('a');
    }, 300);
    try {
      const answers: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        answers.push((await postJson(`${api.url}/v1/activities`, anEvent(`ol-${i}`))).status);
      }
      expect(answers.every((s) => s === 202)).toBe(true);
      expect(await eventually(async () => slow.every((c) => c.state.closed), 15_000)).toBe(true);
      expect(slow.every((c) => c.state.answer.startsWith('HTTP/1.1 408'))).toBe(true);
      expect(slow[0].state.answer).toContain('"code":"REQUEST_TIMEOUT"');
    } finally {
      clearInterval(drip);
      for (const c of slow) c.socket.destroy();
    }
  });

  it('cuts a request whose body never finishes (408)', async () => {
    const body = JSON.stringify(anEvent('ol-body'));
    const client = rawClient(
      api.port,
      `POST /v1/activities HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length + 100}\r\n\r\n${body}`,
    );
    expect(await eventually(async () => client.state.closed, 15_000)).toBe(true);
    expect(client.state.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('sheds what exceeds the pending-records bound with 503 OVERLOADED and Retry-After; every 202 is on the topic', async () => {
    const batch = (n: number) => ({
      events: Array.from({ length: 100 }, (_, i) => ({
        ...anEvent(`ol-user-${i % 10}`),
        eventId: `ol-batch-${String(n).padStart(3, '0')}-${String(i).padStart(3, '0')}`,
      })),
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        postJson<{ code?: string }>(`${api.url}/v1/activities/batch`, batch(n)),
      ),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const shed = answers.filter((a) => a.status === 503);
    expect(accepted.length + shed.length).toBe(30);
    expect(shed.length).toBeGreaterThan(0);
    expect(shed.every((a) => a.body.code === 'OVERLOADED')).toBe(true);
    expect(shed.every((a) => a.headers.get('retry-after') === '1')).toBe(true);
    const records = await recordsWithIds('ol-batch-', accepted.length * 100);
    const batchIds = new Set(records.map((r) => r.headers.eventId));
    expect(batchIds.size).toBe(accepted.length * 100);
  });

  it('sheds a batch before reading its body while the send queue is full, and logs no error for it', async () => {
    const batch = (n: number) => ({
      events: Array.from({ length: 100 }, (_, i) => ({
        ...anEvent(`ol-user-${i % 10}`),
        eventId: `ol-gate-${String(n).padStart(4, '0')}-${String(i).padStart(3, '0')}`,
      })),
    });
    const head = (length: number) =>
      `POST /v1/activities/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${length}\r\n\r\n`;
    // Load that keeps records waiting for Kafka (bound 300: three batches of 100).
    let sent = 0;
    let loading = true;
    const accepted: number[] = [];
    const loaders = Array.from({ length: 8 }, async () => {
      while (loading) {
        const n = (sent += 1);
        const answer = await postJson(`${api.url}/v1/activities/batch`, batch(n));
        if (answer.status === 202) accepted.push(n);
      }
    });
    // Headers of a batch and no body: an answer can only come from the gate, before the body.
    let refusal = '';
    try {
      await eventually(async () => {
        const probe = rawClient(api.port, head(15_000));
        await eventually(async () => probe.state.answer.length > 0, 300, 10);
        probe.socket.destroy();
        refusal = probe.state.answer;
        return refusal.startsWith('HTTP/1.1 503');
      }, 20_000);
    } finally {
      loading = false;
      await Promise.all(loaders);
    }
    expect(refusal).toMatch(/^HTTP\/1\.1 503/);
    expect(refusal).toMatch(/retry-after: 1/i);
    expect(refusal).toContain('"code":"OVERLOADED"');
    expect(refusal).toMatch(/the send queue has room for \d+ events; this request may hold \d+/);
    expect(accepted.length).toBeGreaterThan(0);
    // Every acknowledged batch is on the topic.
    const ids = (n: number) => `ol-gate-${String(n).padStart(4, '0')}-`;
    const records = await recordsWithIds('ol-gate-', accepted.length * 100);
    for (const n of accepted) {
      expect(records.filter((r) => r.headers.eventId?.startsWith(ids(n)))).toHaveLength(100);
    }
    // Shed load is a state the API reports, not a failure: warn lines, no error lines.
    const lines = readFileSync(api.logFile, 'utf8').split('\n');
    expect(lines.some((l) => l.includes('"status":503') && l.includes('"level":"warn"'))).toBe(
      true,
    );
    expect(lines.filter((l) => /"level":"(error|fatal)"/.test(l))).toEqual([]);
  });
});
