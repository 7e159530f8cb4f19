import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './infra';
import { APP_NODE_OPTIONS, appMallocEnv } from '../../scripts/runtime/app-node-options';

export type AppName = 'producer-api' | 'consumer' | 'daily-activity';

/** Each app's entry in the build and the variable that sets its HTTP port. */
const APPS: Record<AppName, { main: string[]; portVar: string }> = {
  'producer-api': { main: ['apps', 'producer-api'], portVar: 'PRODUCER_API_PORT' },
  consumer: { main: ['apps', 'consumer'], portVar: 'CONSUMER_PORT' },
  // The example app of README "Extending" (examples/daily-activity).
  'daily-activity': { main: ['examples', 'daily-activity'], portVar: 'DAILY_ACTIVITY_PORT' },
};

/** Where the built apps are; E2E_DIST_DIR lets parallel work trees use their own build. */
export const DIST_DIR = process.env.E2E_DIST_DIR ?? join(REPO_ROOT, 'dist');

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or the time is up; returns whether it did. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(intervalMs);
  }
  return false;
}

/** One of the built apps running as a real child process, with its log kept in a file. */
export class AppProcess {
  private child?: ChildProcess;
  readonly logFile: string;
  exitCode: number | null = null;

  constructor(
    readonly name: AppName,
    readonly port: number,
    private readonly env: Record<string, string>,
    label: string,
    /** `cwd`: the app's working directory, where it looks for a `.env` file (default: the repo). */
    private readonly options: { cwd?: string } = {},
  ) {
    const dir = join(REPO_ROOT, '.infra', 'test-logs');
    mkdirSync(dir, { recursive: true });
    this.logFile = join(dir, `${label}-${name}-${port}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(readyTimeoutMs = 60_000): Promise<this> {
    this.spawnChild();
    const ready = await eventually(async () => {
      if (this.exitCode !== null)
        throw new Error(`${this.name} exited with ${this.exitCode}; see ${this.logFile}`);
      const res = await fetch(`${this.url}/health/ready`);
      return res.status === 200;
    }, readyTimeoutMs);
    if (!ready)
      throw new Error(`${this.name} not ready within ${readyTimeoutMs} ms; see ${this.logFile}`);
    return this;
  }

  /** Starts the app expecting it to refuse to run; resolves with its exit code and log. */
  async startExpectingExit(timeoutMs = 60_000): Promise<{ code: number | null; log: string }> {
    this.spawnChild();
    await eventually(async () => this.exitCode !== null, timeoutMs);
    if (this.exitCode === null) await this.stop('SIGKILL');
    await sleep(100);
    return { code: this.exitCode, log: readFileSync(this.logFile, 'utf8') };
  }

  private spawnChild(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const { main, portVar } = APPS[this.name];
    this.exitCode = null;
    this.child = spawn(process.execPath, [join(DIST_DIR, ...main, 'src', 'main.js')], {
      cwd: this.options.cwd ?? REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        ...this.env,
        [portVar]: String(this.port),
        // A developer's own .env in the repo must not change what a test runs with; tests that
        // test the .env path give the app a working directory of their own.
        ...(this.options.cwd
          ? {}
          : { ENV_FILE: join(REPO_ROOT, '.infra', 'tests-use-no-env-file') }),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        // Builds outside the repo (E2E_DIST_DIR) still resolve the repo's packages.
        NODE_PATH: join(REPO_ROOT, 'node_modules'),
        // The heap bound the apps are deployed with: a live set outgrowing it fails here first.
        NODE_OPTIONS: APP_NODE_OPTIONS,
        ...appMallocEnv(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.child.once('exit', (code) => (this.exitCode = code ?? -1));
  }

  /** Graceful stop (SIGTERM) or a crash (SIGKILL); resolves when the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
