import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/** Every size and duration of one bench run; each can be set by env (BENCH_*) or `--name=value`. */
export interface BenchConfig {
  quick: boolean;
  runId: string;
  rootDir: string;
  distDir: string;
  outDir: string;
  brokers: string;
  mongoBase: string;
  startInfra: boolean;
  /** Write a V8 CPU profile of each app (`--profile`) and print where the time went. */
  profile: boolean;
  /** The phases to run (`--only=sink,e2e`); all by default. Rows of skipped phases are absent. */
  phases: Phase[];
  single: {
    rate: number;
    seconds: number;
    connections: number;
    maxConnections: number;
    /** Unmeasured single POSTs at the same rate first (JIT, connections, heap sizing). */
    warmUpSeconds: number;
  };
  batch: { size: number; connections: number; seconds: number };
  /** Interleaved (baseline, ours) pairs per throughput ratio; the median is reported. */
  pairs: number;
  /** The spike: batch POSTs offered at `factor` × the measured batch capacity, open loop. */
  overload: { factor: number; seconds: number; connections: number };
  perfRecords: number;
  sink: { backlog: number; flushSize: number; insertConcurrency: number; timeoutSeconds: number };
  e2e: {
    rate: number;
    seconds: number;
    batchSize: number;
    sampleEvery: number;
    pollMs: number;
    probeTimeoutMs: number;
    /** The same load, untimed, after the first event was readable (see steadyLoad). */
    warmUpSeconds: number;
  };
}

type Sizes = Record<string, number>;

export const PHASES = ['e2e', 'sink', 'ingest', 'overload'] as const;
export type Phase = (typeof PHASES)[number];

function phases(raw: string | undefined): Phase[] {
  if (raw === undefined) return [...PHASES];
  const names = raw.split(',').map((p) => p.trim());
  const unknown = names.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(`--only takes a comma list of ${PHASES.join(', ')}; got ${raw}`);
  return PHASES.filter((p) => names.includes(p));
}

const BOOLEAN_FLAGS = ['QUICK', 'NO_INFRA', 'PROFILE'];

const FULL: Sizes = {
  SINGLE_RATE: 1000,
  SINGLE_SECONDS: 15,
  WARM_UP_SECONDS: 15,
  E2E_WARM_UP_SECONDS: 10,
  SINGLE_CONNECTIONS: 32,
  MAX_CONNECTIONS: 32,
  BATCH_SIZE: 500,
  BATCH_CONNECTIONS: 4,
  BATCH_SECONDS: 15,
  PERF_RECORDS: 200_000,
  BACKLOG: 200_000,
  FLUSH_SIZE: 500,
  INSERT_CONCURRENCY: 3,
  DRAIN_TIMEOUT_SECONDS: 420,
  E2E_RATE: 2000,
  E2E_SECONDS: 20,
  E2E_BATCH_SIZE: 100,
  E2E_SAMPLE_EVERY: 1000,
  E2E_POLL_MS: 20,
  E2E_PROBE_TIMEOUT_SECONDS: 30,
  PAIRS: 3,
  OVERLOAD_FACTOR: 5,
  OVERLOAD_SECONDS: 60,
  OVERLOAD_CONNECTIONS: 64,
};

/** Smoke sizes: proves every phase works in about a minute; the figures mean little. */
const QUICK: Sizes = {
  ...FULL,
  SINGLE_RATE: 200,
  SINGLE_SECONDS: 3,
  WARM_UP_SECONDS: 2,
  E2E_WARM_UP_SECONDS: 2,
  BATCH_SECONDS: 3,
  PERF_RECORDS: 20_000,
  BACKLOG: 10_000,
  DRAIN_TIMEOUT_SECONDS: 120,
  E2E_RATE: 500,
  E2E_SECONDS: 5,
  OVERLOAD_SECONDS: 5,
};

function flags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/i.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg}; use --quick or --name=value`);
    out.set(match[1].toUpperCase().replace(/-/g, '_'), match[2] ?? 'true');
  }
  return out;
}

/** The repository the bench runs in and the folder its results go to (`npm run bench:spread` reads it). */
export function benchDirs(env: NodeJS.ProcessEnv): { rootDir: string; outDir: string } {
  const rootDir = resolve(env.BENCH_REPO_ROOT ?? process.cwd());
  return { rootDir, outDir: resolve(rootDir, env.BENCH_OUT_DIR ?? 'bench-results') };
}

export function loadBenchConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BenchConfig {
  const given = flags(argv);
  const quick = given.get('QUICK') === 'true' || env.BENCH_QUICK === '1';
  const defaults = quick ? QUICK : FULL;
  const num = (name: string): number => {
    const raw = given.get(name) ?? env[`BENCH_${name}`];
    const value = raw === undefined ? defaults[name] : Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`BENCH_${name} (--${name.toLowerCase().replace(/_/g, '-')}) must be > 0`);
    return value;
  };
  for (const name of given.keys()) {
    if (!BOOLEAN_FLAGS.includes(name) && name !== 'ONLY' && !(name in FULL))
      throw new Error(`unknown flag --${name.toLowerCase().replace(/_/g, '-')}`);
  }
  const { rootDir, outDir } = benchDirs(env);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return {
    quick,
    runId: `${stamp}-${randomBytes(2).toString('hex')}`,
    rootDir,
    // This file is dist/scripts/bench/config.js: the apps are two folders up.
    distDir: resolve(env.BENCH_DIST_DIR ?? join(__dirname, '..', '..')),
    outDir,
    // Loopback only, on the ports the infra scripts use (KAFKA_PORT / MONGO_PORT move both).
    brokers: `127.0.0.1:${env.KAFKA_PORT ?? '9092'}`,
    mongoBase: `mongodb://127.0.0.1:${env.MONGO_PORT ?? '27017'}`,
    startInfra: given.get('NO_INFRA') !== 'true',
    profile: given.get('PROFILE') === 'true' || env.BENCH_PROFILE === '1',
    phases: phases(given.get('ONLY') ?? env.BENCH_ONLY),
    single: {
      rate: num('SINGLE_RATE'),
      seconds: num('SINGLE_SECONDS'),
      connections: num('SINGLE_CONNECTIONS'),
      maxConnections: num('MAX_CONNECTIONS'),
      warmUpSeconds: num('WARM_UP_SECONDS'),
    },
    batch: {
      size: num('BATCH_SIZE'),
      connections: num('BATCH_CONNECTIONS'),
      seconds: num('BATCH_SECONDS'),
    },
    pairs: num('PAIRS'),
    overload: {
      factor: num('OVERLOAD_FACTOR'),
      seconds: num('OVERLOAD_SECONDS'),
      connections: num('OVERLOAD_CONNECTIONS'),
    },
    perfRecords: num('PERF_RECORDS'),
    sink: {
      backlog: num('BACKLOG'),
      flushSize: num('FLUSH_SIZE'),
      insertConcurrency: num('INSERT_CONCURRENCY'),
      timeoutSeconds: num('DRAIN_TIMEOUT_SECONDS'),
    },
    e2e: {
      rate: num('E2E_RATE'),
      seconds: num('E2E_SECONDS'),
      batchSize: num('E2E_BATCH_SIZE'),
      sampleEvery: num('E2E_SAMPLE_EVERY'),
      pollMs: num('E2E_POLL_MS'),
      probeTimeoutMs: num('E2E_PROBE_TIMEOUT_SECONDS') * 1000,
      warmUpSeconds: num('E2E_WARM_UP_SECONDS'),
    },
  };
}
