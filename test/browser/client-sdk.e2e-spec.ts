import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { AppProcess, DIST_DIR, eventually, freePort } from '../support/app-process';
import { isolatedEnv, withMongo } from '../support/isolation';

const KEY = 'browser-sdk-key-0123456789';
const SDK_BUNDLE = join(DIST_DIR, 'client-sdk', 'client.js');

/**
 * Debian's chromium (apt-get install -y chromium), or CHROMIUM_PATH. No browser is downloaded;
 * without one this suite fails, saying what to install (it never skips).
 */
function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given && existsSync(given)) return given;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this name
    }
  }
  throw new Error(
    "Chromium not found: the browser e2e needs Debian's chromium package (apt-get install -y chromium) or CHROMIUM_PATH pointing at a Chromium binary",
  );
}

/** The page: loads the SDK bundle, sends 10 events by fetch (gzip), leaves 3 for the beacon. */
const page = (api: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>sdk e2e</title></head><body>
<script type="module">
  import { ActivityClient } from '/sdk.js';
  const client = new ActivityClient({
    endpoint: ${JSON.stringify(api)}, apiKey: ${JSON.stringify(KEY)},
    maxBatchSize: 5, flushIntervalMs: 600000, compressMinBytes: 0,
  });
  const track = (i) => client.track({ userId: 'browser-user', activityType: 'page_view',
    metadata: { path: '/p/' + i, userAgent: navigator.userAgent.slice(0, 200) } });
  const fetched = Array.from({ length: 10 }, (_, i) => track(i));
  const stats = await client.flush();
  const beaconed = [10, 11, 12].map(track);
  window.result = { fetched, beaconed, stats, queued: client.stats.queued };
</script></body></html>`;

interface PageResult {
  fetched: string[];
  beaconed: string[];
  stats: object;
  queued: number;
}

describe('client SDK in real Chromium: fetch with gzip, sendBeacon on pagehide, stored once', () => {
  const iso = isolatedEnv('browser-sdk');
  let api: AppProcess;
  let consumer: AppProcess;
  let site: Server;
  let browser: Browser | undefined;
  let origin = '';

  beforeAll(async () => {
    const executablePath = chromiumPath();
    if (!existsSync(SDK_BUNDLE)) throw new Error(`${SDK_BUNDLE} is missing: run npm run build`);
    site = createServer((req, res) => {
      if (req.url === '/sdk.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(readFileSync(SDK_BUNDLE));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(page(api.url));
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const env = { ...iso.env, API_KEYS: KEY, CORS_ORIGINS: origin };
    api = new AppProcess('producer-api', await freePort(), env, iso.label);
    consumer = new AppProcess('consumer', await freePort(), iso.env, iso.label);
    [browser] = await Promise.all([
      chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] }),
      api.start(),
      consumer.start(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await Promise.all([api?.stop(), consumer?.stop()]);
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
  });

  it('stores every event exactly once, the last ones sent by sendBeacon as the page closes', async () => {
    const tab = await browser!.newPage();
    const encodings: string[] = [];
    tab.on('request', (request) => {
      if (request.url().includes('/v1/activities/batch') && request.method() === 'POST') {
        encodings.push(request.headers()['content-encoding'] ?? 'none');
      }
    });
    await tab.goto(origin);
    // Expressions as strings: they run in the page, whose globals this file's types do not know.
    await tab.waitForFunction('window.result !== undefined', undefined, { timeout: 20_000 });
    const result = await tab.evaluate<PageResult>('window.result');
    expect(result.stats).toEqual(expect.objectContaining({ acknowledged: 10, failed: 0 }));
    expect(result.queued).toBe(3);
    expect(encodings).toEqual(['gzip', 'gzip']);
    // Closing runs pagehide: the SDK hands the 3 queued events to navigator.sendBeacon.
    await tab.close({ runBeforeUnload: true });

    const ids = [...result.fetched, ...result.beaconed];
    const docs = await withMongo(iso.mongoUri, async (client) => {
      const col = client.db().collection('activities');
      await eventually(
        async () => (await col.countDocuments({ eventId: { $in: ids } })) >= ids.length,
        30_000,
      );
      return col.find({ userId: 'browser-user' }).toArray();
    });
    expect(docs.map((d) => String(d.eventId)).sort()).toEqual([...ids].sort());
  });

  it('answers CORS for the page origin only', async () => {
    const preflight = (from: string) =>
      fetch(`${api.url}/v1/activities/batch`, {
        method: 'OPTIONS',
        headers: {
          origin: from,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,content-encoding,x-api-key',
        },
      });
    const allowed = await preflight(origin);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('content-encoding');
    const other = await preflight('http://127.0.0.1:1');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
