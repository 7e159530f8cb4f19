import { readFileSync } from 'node:fs';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { isolatedEnv, withMongo } from '../support/isolation';
import { anEvent, expectProblem, postRaw } from './producer-api.support';

const LIMIT = 64 * 1024;
const KEY = 'browser-intake-key-0123456789';
const WITH_KEY = { 'x-api-key': KEY };

/** Resident set size of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D/g, '')) * 1024;
}

describe('producer API: browser-grade intake, stored through the pipeline', () => {
  const iso = isolatedEnv('browser-intake');
  let api: AppProcess;
  let consumer: AppProcess;
  const one = () => `${api.url}/v1/activities`;
  const batch = () => `${api.url}/v1/activities/batch`;
  const beacon = () => `${api.url}/v1/activities/beacon`;

  const stored = (eventIds: string[]) =>
    withMongo(iso.mongoUri, async (client) => {
      const col = client.db().collection('activities');
      await eventually(
        async () => (await col.countDocuments({ eventId: { $in: eventIds } })) === eventIds.length,
        30_000,
      );
      return col
        .find({ eventId: { $in: eventIds } }, { projection: { _id: 0, kafka: 0 } })
        .sort({ eventId: 1 })
        .toArray();
    });

  beforeAll(async () => {
    const env = { ...iso.env, HTTP_BODY_LIMIT_BYTES: String(LIMIT), API_KEYS: KEY };
    api = new AppProcess('producer-api', await freePort(), env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), iso.env, iso.label);
    await Promise.all([api.start(), consumer.start()]);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('stores gzip, deflate and br bodies on both endpoints', async () => {
    const single = anEvent('zip-1', { eventId: 'evt_gzip_single_0001' });
    const gz = await postRaw(one(), gzipSync(JSON.stringify(single)), 'application/json', {
      ...WITH_KEY,
      'content-encoding': 'gzip',
    });
    expect(gz.status).toBe(202);
    const events = [
      anEvent('zip-2', { eventId: 'evt_deflate_batch_0001' }),
      anEvent('zip-3', { eventId: 'evt_deflate_batch_0002' }),
    ];
    const df = await postRaw(batch(), deflateSync(JSON.stringify({ events })), 'application/json', {
      ...WITH_KEY,
      'content-encoding': 'deflate',
    });
    expect(df.status).toBe(202);
    const brotli = anEvent('zip-5', { eventId: 'evt_br_single_0001' });
    const br = await postRaw(
      one(),
      brotliCompressSync(JSON.stringify(brotli)),
      'application/json',
      {
        ...WITH_KEY,
        'content-encoding': 'br',
      },
    );
    expect(br.status).toBe(202);
    const ids = ['evt_gzip_single_0001', 'evt_br_single_0001', ...events.map((e) => e.eventId)];
    const docs = await stored(ids.map(String));
    expect(docs).toEqual([
      expect.objectContaining(brotli),
      expect.objectContaining(events[0]),
      expect.objectContaining(events[1]),
      expect.objectContaining(single),
    ]);
  });

  it('answers a gzip bomb (a few KB inflating to 10 MB) 413 early, RSS bounded', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(16 * 1024);
    const pid = api.pid ?? 0;
    const before = rssBytes(pid);
    const started = Date.now();
    for (let i = 0; i < 5; i += 1) {
      const res = await postRaw(batch(), bomb, 'application/json', {
        ...WITH_KEY,
        'content-encoding': 'gzip',
      });
      expect(expectProblem(res, 413, 'PAYLOAD_TOO_LARGE').detail).toBe(
        `the gzip-decoded body is larger than ${LIMIT} bytes`,
      );
    }
    const grewBy = rssBytes(pid) - before;
    // Inflating the five bombs whole would hold 50 MB; decoding stops one zlib chunk past 64 KB.
    expect(grewBy).toBeLessThan(8 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers a corrupt gzip stream 400 CORRUPT_COMPRESSED_BODY and another coding 415', async () => {
    const gz = gzipSync(JSON.stringify(anEvent('zip-4')));
    const corrupt = await postRaw(one(), gz.subarray(0, gz.length - 8), 'application/json', {
      ...WITH_KEY,
      'content-encoding': 'gzip',
    });
    expect(expectProblem(corrupt, 400, 'CORRUPT_COMPRESSED_BODY').detail).toMatch(/gzip/);
    const unknown = await postRaw(one(), gz, 'application/json', {
      ...WITH_KEY,
      'content-encoding': 'zstd',
    });
    expectProblem(unknown, 415, 'UNSUPPORTED_CONTENT_ENCODING');
  });

  it('takes beacons: text/plain JSON on /beacon with the key as ?apiKey=, partial by default', async () => {
    const events = [
      anEvent('beacon-1', { eventId: 'evt_beacon_0000001' }),
      anEvent('beacon-1', { eventId: 'evt_beacon_0000002', activityType: 'teleport' }),
    ];
    const body = JSON.stringify({ events });
    const res = await postRaw(`${beacon()}?apiKey=${KEY}`, body, 'text/plain;charset=UTF-8');
    expect(res.status).toBe(202);
    expect(res.body).toEqual(expect.objectContaining({ accepted: 1, rejected: 1 }));
    expect(await stored(['evt_beacon_0000001'])).toEqual([expect.objectContaining(events[0])]);
    // The header works too, and a gzip beacon (fetch keepalive can set the header) is decoded.
    const gz = await postRaw(beacon(), gzipSync(body), 'text/plain', {
      ...WITH_KEY,
      'content-encoding': 'gzip',
    });
    expect(gz.status).toBe(202);
  });

  it('takes the query key and text/plain on /beacon only, and never echoes the key', async () => {
    const body = JSON.stringify({ events: [anEvent('beacon-2')] });
    const plain = await postRaw(batch(), body, 'text/plain', WITH_KEY);
    expectProblem(plain, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const queryKey = await postRaw(`${batch()}?apiKey=${KEY}`, body, 'application/json');
    expectProblem(queryKey, 401, 'UNAUTHORIZED');
    const wrong = await postRaw(`${beacon()}?apiKey=not-the-key-${KEY}`, body, 'text/plain');
    expect(expectProblem(wrong, 401, 'UNAUTHORIZED').instance).toBe(
      '/v1/activities/beacon?apiKey=REDACTED',
    );
    const invalid = await postRaw(`${beacon()}?apiKey=${KEY}`, '{"events":', 'text/plain');
    expect(expectProblem(invalid, 400, 'MALFORMED_REQUEST').instance).toBe(
      '/v1/activities/beacon?apiKey=REDACTED',
    );
    expect(readFileSync(api.logFile, 'utf8')).not.toContain(KEY);
  });

  it('corrects a device clock one hour ahead by sentAt, and clamps a future timestamp', async () => {
    const HOUR = 3_600_000;
    const device = new Date(Date.now() + HOUR);
    const skewed = anEvent('clock-1', {
      eventId: 'evt_clock_ahead_0001',
      timestamp: new Date(device.getTime() - 1000).toISOString(),
    });
    const sent = Date.now();
    const res = await postRaw(
      one(),
      JSON.stringify({ ...skewed, sentAt: device.toISOString() }),
      'application/json',
      WITH_KEY,
    );
    expect(res.status).toBe(202);
    const ahead = anEvent('clock-2', {
      eventId: 'evt_clock_future_01',
      timestamp: new Date(Date.now() + HOUR).toISOString(),
    });
    const clamped = await postRaw(
      batch(),
      JSON.stringify({ events: [ahead] }),
      'application/json',
      WITH_KEY,
    );
    expect(clamped.status).toBe(202);
    const [corrected, future] = await stored(['evt_clock_ahead_0001', 'evt_clock_future_01']);
    const clock = (corrected.metadata as Record<string, Record<string, unknown>>).clock;
    expect(clock).toEqual({
      clientTimestamp: skewed.timestamp,
      sentAt: device.toISOString(),
      receivedAt: expect.any(String) as unknown,
      offsetMs: expect.any(Number) as unknown,
    });
    // Stored about one second before it was received, not one hour ahead.
    const storedAt = Date.parse(String(corrected.timestamp));
    expect(Math.abs(storedAt - (sent - 1000))).toBeLessThan(2000);
    // timestamp + (receivedAt - sentAt) = (device - 1 s) + receivedAt - device
    expect(storedAt).toBe(Date.parse(String(clock.receivedAt)) - 1000);
    expect(Number(clock.offsetMs)).toBeLessThan(-HOUR + 2000);
    const futureClock = (future.metadata as Record<string, Record<string, unknown>>).clock;
    expect(futureClock).toEqual({
      clientTimestamp: ahead.timestamp,
      receivedAt: String(future.timestamp),
      warning: 'future_timestamp_clamped',
    });
  });

  it('maps the Idempotency-Key header to the eventId; a retry is stored once; a conflict is 400', async () => {
    const key = 'idem-8e03978e-40d5-43e8';
    const event = JSON.stringify(anEvent('idem-1'));
    const first = await postRaw(one(), event, 'application/json', {
      ...WITH_KEY,
      'idempotency-key': `"${key}"`,
    });
    const retry = await postRaw(one(), event, 'application/json', {
      ...WITH_KEY,
      'idempotency-key': key,
    });
    expect([first.status, first.body.eventId, retry.status, retry.body.eventId]).toEqual([
      202,
      key,
      202,
      key,
    ]);
    expect(await stored([key])).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the retry had time to land
    expect(await stored([key])).toHaveLength(1);
    const conflict = await postRaw(
      one(),
      JSON.stringify(anEvent('idem-1', { eventId: 'evt_other_id_000001' })),
      'application/json',
      { ...WITH_KEY, 'idempotency-key': key },
    );
    expect(expectProblem(conflict, 400, 'IDEMPOTENCY_KEY_MISMATCH').errors).toEqual([
      expect.objectContaining({ field: 'eventId', rule: 'idempotencyKey' }),
    ]);
    const bad = await postRaw(one(), event, 'application/json', {
      ...WITH_KEY,
      'idempotency-key': 'no spaces allowed',
    });
    expect(expectProblem(bad, 400, 'VALIDATION_ERROR').errors).toEqual([
      expect.objectContaining({ field: 'Idempotency-Key', rule: 'matches' }),
    ]);
  });
});
