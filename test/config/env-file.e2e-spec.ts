import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, freePort } from '../support/app-process';
import { getJson, postJson } from '../support/http';
import { isolatedEnv } from '../support/isolation';
import { anEvent, expectProblem } from '../producer-api/producer-api.support';

type Body = Record<string, unknown>;

const FILE_KEY = 'file-key-0123456789abcdef';
const SHELL_KEY = 'shell-key-0123456789abcdef';

/** A folder with a `.env` file, as a user makes one by copying .env.example. */
function folderWithEnvFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'eyego-env-'));
  writeFileSync(join(dir, '.env'), `${lines.join('\n')}\n`);
  return dir;
}

describe('one configuration path: a .env file configures everything, security included', () => {
  const iso = isolatedEnv('env-file');
  const dirs: string[] = [];
  const apps: AppProcess[] = [];
  const start = async (app: AppProcess) => {
    apps.push(app);
    return app.start();
  };
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('producer-api enforces the API keys and the body limit of its .env file', async () => {
    const cwd = folderWithEnvFile([`API_KEYS=${FILE_KEY}`, 'HTTP_BODY_LIMIT_BYTES=2048']);
    dirs.push(cwd);
    const api = await start(
      new AppProcess('producer-api', await freePort(), iso.env, `${iso.label}-p`, { cwd }),
    );
    const url = `${api.url}/v1/activities`;
    expectProblem(await postJson<Body>(url, anEvent('env-u1')), 401, 'UNAUTHORIZED');
    const accepted = await postJson<Body>(url, anEvent('env-u1'), { 'x-api-key': FILE_KEY });
    expect(accepted.status).toBe(202);
    const big = anEvent('env-u1', { metadata: { note: 'x'.repeat(3000) } });
    expectProblem(
      await postJson<Body>(url, big, { 'x-api-key': FILE_KEY }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('consumer enforces the API keys of its .env file on the read API', async () => {
    const cwd = folderWithEnvFile([`API_KEYS=${FILE_KEY}`]);
    dirs.push(cwd);
    const consumer = await start(
      new AppProcess('consumer', await freePort(), iso.env, `${iso.label}-c`, { cwd }),
    );
    expectProblem(await getJson<Body>(`${consumer.url}/v1/activities`), 401, 'UNAUTHORIZED');
    const ok = await getJson<Body>(`${consumer.url}/v1/activities`, { 'x-api-key': FILE_KEY });
    expect(ok.status).toBe(200);
  });

  it('a variable set in the environment wins over the .env file', async () => {
    const cwd = folderWithEnvFile([`API_KEYS=${FILE_KEY}`]);
    dirs.push(cwd);
    const api = await start(
      new AppProcess(
        'producer-api',
        await freePort(),
        { ...iso.env, API_KEYS: SHELL_KEY },
        `${iso.label}-p2`,
        { cwd },
      ),
    );
    const url = `${api.url}/v1/activities`;
    expectProblem(
      await postJson<Body>(url, anEvent('env-u2'), { 'x-api-key': FILE_KEY }),
      401,
      'UNAUTHORIZED',
    );
    expect((await postJson<Body>(url, anEvent('env-u2'), { 'x-api-key': SHELL_KEY })).status).toBe(
      202,
    );
  });

  it('a bad value in the .env file stops each app with a message naming the variable', async () => {
    for (const name of ['producer-api', 'consumer'] as const) {
      const cwd = folderWithEnvFile(['HTTP_BODY_LIMIT_BYTES=lots']);
      dirs.push(cwd);
      const app = new AppProcess(name, await freePort(), iso.env, `${iso.label}-bad`, { cwd });
      const { code, log } = await app.startExpectingExit();
      expect({ name, code }).toEqual({ name, code: 1 });
      expect(log).toContain('HTTP_BODY_LIMIT_BYTES');
    }
  });
});
