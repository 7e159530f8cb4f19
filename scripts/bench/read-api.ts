import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { activityIndexes, serverFlavourOf } from '@app/activity-store';
import { loadBenchConfig } from './config';
import { QUERY_KINDS, QueryKind, firstPagePath, rng, storedDoc } from './read-docs';
import { Row, judge, machine, table, writeJson } from './report';
import { BenchApp, freePort, sleep } from './stack';
import { percentile } from './stats';

/**
 * `npm run bench:read`: the read API's list endpoints over a large stored collection on the local
 * default database (FerretDB/SQLite built by scripts/infra/install.sh), issue 21's target being a
 * list page p99 < 100 ms at 1,000,000 documents.
 *
 * 1. Starts the patched FerretDB on a data folder of its own (.infra/bench-read/, kept, so a second
 *    run skips the fill; READ_BENCH_FRESH=1 refills) and fills READ_BENCH_DOCS documents with
 *    direct insertMany batches, then the consumer's indexes (the schema's, as the consumer makes
 *    them on that server).
 * 2. Runs the built consumer and times each list query through HTTP, one request at a time:
 *    by user, by type, by time window, the newest page, cursor pages (p50/p99 of
 *    READ_BENCH_SAMPLES requests each).
 * 3. Baseline: the build without the pushdown patch (install.sh ferretdb-baseline) on a smaller
 *    collection (READ_BENCH_BASELINE_DOCS, default 20,000: it reads the whole table for every page),
 *    and the patched build on that same collection, READ_BENCH_BASELINE_SAMPLES requests each.
 * READ_BENCH_MONGODB_URI=mongodb://… also times the same queries on a real MongoDB.
 */

interface Options {
  docs: number;
  samples: number;
  baselineDocs: number;
  baselineSamples: number;
  timeoutMs: number;
  fresh: boolean;
  mongodbUri?: string;
}

function options(env: NodeJS.ProcessEnv): Options {
  const num = (name: string, fallback: number) => {
    const value = env[name] === undefined ? fallback : Number(env[name]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer >= 0`);
    return value;
  };
  return {
    docs: num('READ_BENCH_DOCS', 1_000_000),
    samples: num('READ_BENCH_SAMPLES', 200),
    baselineDocs: num('READ_BENCH_BASELINE_DOCS', 20_000),
    baselineSamples: num('READ_BENCH_BASELINE_SAMPLES', 3),
    timeoutMs: num('READ_BENCH_TIMEOUT_SECONDS', 60) * 1000,
    fresh: env.READ_BENCH_FRESH === '1',
    mongodbUri: env.READ_BENCH_MONGODB_URI || undefined,
  };
}

const config = loadBenchConfig([], process.env);
const log = (msg: string) => process.stdout.write(`[bench:read] ${msg}\n`);
const CACHE = join(config.rootDir, '.infra', 'cache');
const VERSION = process.env.FERRETDB_VERSION ?? 'v1.24.2';
const BUILDS = {
  patched: { dir: `ferretdb-${VERSION}-idpatch-pushdown`, install: 'ferretdb' },
  stock: { dir: `ferretdb-${VERSION}-idpatch`, install: 'ferretdb-baseline' },
} as const;
type Build = keyof typeof BUILDS;

/** One FerretDB process of this bench, on free ports and a data folder of its own. */
class Ferret {
  private child?: ChildProcess;
  private constructor(
    readonly uri: string,
    private readonly bin: string,
    private readonly args: string[],
    private readonly logFile: string,
  ) {}

  static async start(build: Build, dataDir: string): Promise<Ferret> {
    const bin = join(CACHE, BUILDS[build].dir, 'ferretdb');
    if (!existsSync(bin))
      execFileSync(
        'bash',
        [join(config.rootDir, 'scripts', 'infra', 'install.sh'), BUILDS[build].install],
        {
          stdio: 'inherit',
        },
      );
    mkdirSync(join(dataDir, 'state'), { recursive: true });
    const [port, debugPort] = [await freePort(), await freePort()];
    const ferret = new Ferret(
      `mongodb://127.0.0.1:${port}`,
      bin,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--debug-addr=127.0.0.1:${debugPort}`,
        `--state-dir=${join(dataDir, 'state')}`,
        '--telemetry=disable',
        '--log-level=WARN',
      ],
      join(dataDir, 'ferretdb.log'),
    );
    await ferret.spawn();
    return ferret;
  }

  private async spawn(): Promise<void> {
    const out = createWriteStream(this.logFile, { flags: 'a' });
    this.child = spawn(this.bin, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(out);
    this.child.stderr?.pipe(out);
    for (let i = 0; i < 120; i += 1) {
      const client = new MongoClient(this.uri, { serverSelectionTimeoutMS: 500 });
      const up = await client
        .db('admin')
        .command({ ping: 1 })
        .then(() => true)
        .catch(() => false);
      await client.close();
      if (up) return;
      await sleep(500);
    }
    throw new Error(`FerretDB (${this.bin}) did not answer on ${this.uri}; see ${this.logFile}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}

const DB = 'readbench';

/** Fills the collection with direct insertMany batches (two in flight), unless it is full. */
async function fill(uri: string, docs: number): Promise<{ seconds: number; kept: boolean }> {
  const client = await MongoClient.connect(`${uri}/${DB}`);
  try {
    const coll = client.db().collection<ReturnType<typeof storedDoc>>('activities');
    const have = await coll.estimatedDocumentCount();
    if (have === docs) {
      log(`${docs.toLocaleString('en-US')} documents already stored (kept from a previous run)`);
      return { seconds: 0, kept: true };
    }
    await client.db().dropDatabase();
    const started = Date.now();
    const batch = 5_000;
    let next = 0;
    let done = 0;
    let reported = 0;
    const lane = async () => {
      while (next < docs) {
        const from = next;
        next = Math.min(docs, next + batch);
        const slice = [];
        for (let i = from; i < next; i += 1) slice.push(storedDoc(i, docs));
        await coll.insertMany(slice, { ordered: false });
        done += slice.length;
        if (done - reported >= 50_000 || done === docs) {
          reported = done;
          const s = (Date.now() - started) / 1000;
          log(
            `filled ${done.toLocaleString('en-US')} / ${docs.toLocaleString('en-US')} (${Math.round(done / s)} docs/s)`,
          );
        }
      }
    };
    await Promise.all([lane(), lane()]);
    return { seconds: (Date.now() - started) / 1000, kept: false };
  } finally {
    await client.close();
  }
}

/** The consumer's indexes for that server (activityIndexes), made up front and timed. */
async function ensureIndexes(
  uri: string,
): Promise<{ seconds: number; names: string[]; flavour: string }> {
  const client = await MongoClient.connect(`${uri}/${DB}`);
  try {
    const flavour = await serverFlavourOf(client.db());
    const coll = client.db().collection('activities');
    const started = Date.now();
    for (const index of activityIndexes('auto', flavour))
      await coll.createIndex(index.key, { name: index.name, unique: index.unique ?? false });
    const names = (await coll.indexes()).map((i) => String(i.name));
    return { seconds: (Date.now() - started) / 1000, names, flavour };
  } finally {
    await client.close();
  }
}

interface Page {
  items: unknown[];
  nextCursor: string | null;
}

interface KindResult {
  kind: QueryKind;
  samples: number[];
  timeouts: number;
  p50: number;
  p99: number;
}

/** Times every query kind through the consumer's HTTP API, one request at a time. */
async function timeQueries(
  base: string,
  docs: number,
  samples: number,
  timeoutMs: number,
): Promise<KindResult[]> {
  const results: KindResult[] = [];
  for (const kind of QUERY_KINDS) {
    const next = rng(21);
    const ms: number[] = [];
    let timeouts = 0;
    const get = async (path: string, timed: boolean): Promise<Page | undefined> => {
      const started = performance.now();
      try {
        const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.json()) as Page;
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
        if (timed) ms.push(performance.now() - started);
        return body;
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'TimeoutError') throw error;
        timeouts += 1;
        if (timed) ms.push(timeoutMs);
        return undefined;
      }
    };
    const cursorWalk = kind.startsWith('cursor');
    // Cursor kinds time five pages after the first; the others one page per request.
    const walks = cursorWalk ? Math.max(1, Math.ceil(samples / 5)) : samples;
    for (let w = 0; w < walks; w += 1) {
      const path = firstPagePath(kind, docs, next);
      if (!cursorWalk) {
        const page = await get(path, true);
        if (page && page.items.length === 0) throw new Error(`${path}: an empty page`);
        continue;
      }
      let page = await get(path, false);
      for (let p = 0; p < 5 && page?.nextCursor; p += 1)
        page = await get(`${path}&cursor=${page.nextCursor}`, true);
    }
    const result = {
      kind,
      samples: ms,
      timeouts,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
    };
    log(
      `${kind}: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms over ${ms.length} pages${timeouts ? `, ${timeouts} timed out after ${timeoutMs / 1000} s` : ''}`,
    );
    results.push(result);
  }
  return results;
}

interface RunResult {
  label: string;
  docs: number;
  flavour: string;
  fillSeconds: number;
  indexSeconds: number;
  indexes: string[];
  queries: KindResult[];
}

/** Fill (or keep), index, run the consumer against the database, time the queries. */
async function runOn(
  label: string,
  uri: string,
  docs: number,
  samples: number,
  o: Options,
): Promise<RunResult> {
  log(`${label}: ${docs.toLocaleString('en-US')} documents on ${uri}`);
  const filled = await fill(uri, docs);
  const indexed = await ensureIndexes(uri);
  log(
    `${label}: ${indexed.flavour}; indexes ${indexed.names.join(', ')} (${indexed.seconds.toFixed(1)} s)`,
  );
  const prefix = `bench.read.${config.runId}.`;
  const consumer = await BenchApp.start('consumer', config, {
    KAFKA_BROKERS: config.brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}user-activity-processor`,
    MONGODB_URI: `${uri}/${DB}`,
    LOG_LEVEL: 'warn',
    API_AUTH: 'off',
    RATE_LIMIT_MAX: '0',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  });
  try {
    const queries = await timeQueries(consumer.url, docs, samples, o.timeoutMs);
    return {
      label,
      docs,
      flavour: indexed.flavour,
      fillSeconds: filled.seconds,
      indexSeconds: indexed.seconds,
      indexes: indexed.names,
      queries,
    };
  } finally {
    await consumer.stop();
  }
}

async function onFerret<T>(
  build: Build,
  docs: number,
  o: Options,
  fn: (uri: string) => Promise<T>,
): Promise<T> {
  const dataDir = join(config.rootDir, '.infra', 'bench-read', `${build}-${docs}`);
  // The stock and the patched build share the baseline's folder (same documents, same indexes).
  if (o.fresh) rmSync(dataDir, { recursive: true, force: true });
  const ferret = await Ferret.start(build, dataDir);
  try {
    return await fn(ferret.uri);
  } finally {
    await ferret.stop();
  }
}

async function main(): Promise<void> {
  const o = options(process.env);
  execFileSync('bash', [join(config.rootDir, 'scripts', 'infra', 'up.sh'), 'kafka'], {
    stdio: 'inherit',
  });
  const runs: RunResult[] = [];

  runs.push(
    await onFerret('patched', o.docs, o, (uri) =>
      runOn('patched FerretDB', uri, o.docs, o.samples, o),
    ),
  );
  if (o.baselineDocs > 0) {
    const dir = (build: Build) =>
      join(config.rootDir, '.infra', 'bench-read', `${build}-${o.baselineDocs}`);
    // One folder for both builds, filled by the stock one (the pushdown does not change storage).
    runs.push(
      await onFerret('stock', o.baselineDocs, o, (uri) =>
        runOn('stock FerretDB (no pushdown patch)', uri, o.baselineDocs, o.baselineSamples, o),
      ),
    );
    const ferret = await Ferret.start('patched', dir('stock'));
    try {
      runs.push(
        await runOn('patched FerretDB, same documents', ferret.uri, o.baselineDocs, o.samples, o),
      );
    } finally {
      await ferret.stop();
    }
  }
  if (o.mongodbUri) runs.push(await runOn('MongoDB', o.mongodbUri, o.docs, o.samples, o));

  const rows: Row[] = [];
  const [big, stock, patchedSmall, mongo] = [
    runs[0],
    runs[1],
    runs[2],
    runs.find((r) => r.label === 'MongoDB'),
  ];
  const size = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
  for (const q of big.queries) {
    rows.push({
      section: `${size(big.docs)} docs`,
      metric: `${q.kind} p50`,
      value: q.p50,
      unit: 'ms',
      status: '',
    });
    rows.push({
      section: `${size(big.docs)} docs`,
      metric: `${q.kind} p99`,
      value: q.p99,
      unit: 'ms',
      target: '< 100 ms',
      status: judge(q.p99 < 100),
    });
  }
  if (stock && patchedSmall)
    for (const q of patchedSmall.queries) {
      const before = stock.queries.find((s) => s.kind === q.kind);
      rows.push({
        section: `${size(stock.docs)} docs`,
        metric: `${q.kind} p50`,
        value: q.p50,
        unit: 'ms',
        baseline: before ? { name: 'stock build', value: before.p50 } : undefined,
        status: '',
      });
    }
  if (mongo)
    for (const q of mongo.queries)
      rows.push({
        section: `MongoDB ${size(mongo.docs)}`,
        metric: `${q.kind} p99`,
        value: q.p99,
        unit: 'ms',
        target: '< 100 ms',
        status: judge(q.p99 < 100),
      });

  const m = machine();
  process.stdout.write(`\n${table(rows)}\n\n${table(rows, true)}\n`);
  const file = writeJson(config.outDir, `${config.runId}-read`, {
    runId: config.runId,
    machine: m,
    options: o,
    runs,
    rows,
  });
  log(
    `fill ${big.fillSeconds ? `${big.fillSeconds.toFixed(0)} s` : 'kept'}, indexes ${big.indexSeconds.toFixed(1)} s; samples in ${file}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench:read] failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
