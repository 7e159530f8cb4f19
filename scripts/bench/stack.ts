import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchConfig } from './config';
import { APP_NODE_OPTIONS, appMallocEnv } from '../runtime/app-node-options';

const run = promisify(execFile);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Starts the shared broker and database when they are down; a no-op when they run. */
export async function ensureInfra(config: BenchConfig): Promise<void> {
  await run('bash', [join(config.rootDir, 'scripts', 'infra', 'up.sh')], {
    cwd: config.rootDir,
    env: process.env,
  });
}

/** Topics, consumer group and database of this run only, so nothing else is counted. */
export function isolation(config: BenchConfig): {
  prefix: string;
  dbName: string;
  env: Record<string, string>;
} {
  const prefix = `bench.${config.runId}.`;
  const dbName = `bench_${config.runId.replace(/-/g, '_')}`;
  return {
    prefix,
    dbName,
    env: {
      KAFKA_BROKERS: config.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}user-activity-processor`,
      MONGODB_URI: `${config.mongoBase}/${dbName}`,
      LOG_LEVEL: 'warn',
      API_AUTH: 'off',
      // The bench is the only client: the per-client limit would measure the limiter.
      RATE_LIMIT_MAX: '0',
      CONSUMER_FLUSH_MAX_EVENTS: String(config.sink.flushSize),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    },
  };
}

export type AppName = 'producer-api' | 'consumer';

/** One built app as a child process on a free loopback port, its output kept in a log file. */
export class BenchApp {
  private child?: ChildProcess;
  private exitCode: number | null = null;
  readonly logFile: string;

  private constructor(
    readonly name: AppName,
    readonly port: number,
    private readonly config: BenchConfig,
    private readonly env: Record<string, string>,
  ) {
    const dir = join(config.outDir, 'logs');
    mkdirSync(dir, { recursive: true });
    this.logFile = join(dir, `${config.runId}-${name}.log`);
  }

  static async start(name: AppName, config: BenchConfig, env: Record<string, string>) {
    const app = new BenchApp(name, await freePort(), config, env);
    await app.spawn();
    return app;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  private async spawn(): Promise<void> {
    const portVar = this.name === 'producer-api' ? 'PRODUCER_API_PORT' : 'CONSUMER_PORT';
    const main = join(this.config.distDir, 'apps', this.name, 'src', 'main.js');
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const profileDir = join(this.config.outDir, 'profiles', this.config.runId, this.name);
    const profile = this.config.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    // Diagnostics that NODE_OPTIONS refuses (e.g. BENCH_APP_FLAGS=--trace-gc); output in the app log.
    const flags = (process.env.BENCH_APP_FLAGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(process.execPath, [...profile, ...flags, main], {
      cwd: this.config.rootDir,
      env: {
        ...process.env,
        ...this.env,
        // The bench runs what it configures, whatever .env a developer keeps in the repo.
        ENV_FILE: join(this.config.rootDir, '.infra', 'bench-uses-no-env-file'),
        PRODUCER_API_HOST: '127.0.0.1',
        CONSUMER_HOST: '127.0.0.1',
        [portVar]: String(this.port),
        // Builds outside the repo still resolve the repo's packages.
        NODE_PATH: join(this.config.rootDir, 'node_modules'),
        // As deployed; BENCH_APP_NODE_OPTIONS measures other settings (e.g. '' for Node's defaults).
        NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS ?? APP_NODE_OPTIONS,
        // Likewise; BENCH_APP_MALLOC_ENV='' adds none (glibc's defaults, unless the bench's own env has some).
        ...appMallocEnv(process.env.BENCH_APP_MALLOC_ENV),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.child.once('exit', (code) => (this.exitCode = code ?? -1));
    await this.waitReady(60_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitCode !== null)
        throw new Error(`${this.name} exited with ${this.exitCode}; see ${this.logFile}`);
      const res = await fetch(`${this.url}/health/ready`).catch(() => undefined);
      if (res?.status === 200) return;
      await sleep(250);
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** The app's Prometheus text, for counters the bench reads while it runs. */
  async metrics(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`);
    return res.text();
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Sum of a Prometheus counter's samples whose labels contain `labels` (e.g. outcome="stored"). */
export function metricSum(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z0-9_:]+)(\{[^}]*\})? ([0-9.eE+-]+)$/.exec(line);
    if (match && match[1] === name && (match[2] ?? '').includes(labels)) sum += Number(match[3]);
  }
  return sum;
}
