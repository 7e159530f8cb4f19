import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SteadyLoad } from '../reliability/load';
import { AppProcess, eventually, freePort, sleep } from '../support/app-process';
import { REPO_ROOT } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import { PrivateCluster } from '../support/private-cluster';

/** Closed-loop load on the APIs for this long per measurement. */
const API_WINDOW_MS = Number(process.env.SCALE_API_WINDOW_MS ?? 15_000);
/** Events put on the topic (consumers stopped) before the consumers' drain is timed. */
const BACKLOG_EVENTS = Number(process.env.SCALE_BACKLOG_EVENTS ?? 6000);

interface Measured {
  what: string;
  instances: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Consumers: events/s from the first stored event to the last (the thaw's restart excluded). */
  storingEventsPerSecond?: number;
}

const rate = (events: number, ms: number) => Math.round((events / ms) * 10_000) / 10;

/**
 * Issue 18's bench row: events/s through 1 vs 2 producer-api instances (round robin, closed loop)
 * and drained by 1 vs 3 consumer instances of one group (a backlog on 3 partitions), on the same
 * private 3-node cluster with replication factor 3, each measurement on fresh topics. Every
 * acknowledged event must be stored exactly once in each; the ratios are printed, not asserted: on
 * a 2-core machine more instances mostly share the same CPU.
 */
describe('scale-out throughput (1 vs 2 APIs, 1 vs 3 consumers)', () => {
  let cluster: PrivateCluster;
  const results: Measured[] = [];

  beforeAll(async () => {
    cluster = await PrivateCluster.create(`scale-${Date.now()}`);
    await cluster.start();
  }, 10 * 60_000);

  afterAll(async () => {
    await cluster?.destroy();
    const api = results.filter((r) => r.what === 'api');
    const con = results.filter((r) => r.what === 'consumer');
    const ratio = (xs: Measured[]) =>
      xs.length === 2 ? (xs[1].eventsPerSecond / xs[0].eventsPerSecond).toFixed(2) : '-';
    const table = [
      '| measured | instances | events | seconds | events/s | first to last stored, events/s |',
      '|---|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.what} | ${r.instances} | ${r.events} | ${r.seconds} | ${r.eventsPerSecond} | ${r.storingEventsPerSecond ?? '-'} |`,
      ),
      `ratio 2 APIs / 1 API: ${ratio(api)}; ratio 3 consumers / 1 consumer: ${ratio(con)}`,
    ].join('\n');
    console.log(`scale-out throughput:\n${table}`);
    writeFileSync(
      join(REPO_ROOT, '.infra', 'scale-throughput.json'),
      JSON.stringify({ results, apiRatio: ratio(api), consumerRatio: ratio(con) }, null, 2),
    );
  }, 5 * 60_000);

  const setup = async (name: string, apis: number, consumers: number) => {
    const iso = isolatedEnv(name);
    const env = { ...iso.env, ...cluster.appEnv(iso.dbName) };
    const producers: AppProcess[] = [];
    for (let i = 0; i < apis; i += 1)
      producers.push(new AppProcess('producer-api', await freePort(), env, iso.label));
    const consumerApps: AppProcess[] = [];
    for (let i = 0; i < consumers; i += 1)
      consumerApps.push(new AppProcess('consumer', await freePort(), env, iso.label));
    const count = () =>
      withMongo(cluster.mongoUri(iso.dbName), (c) =>
        c.db().collection('activities').countDocuments(),
      );
    const uniqueStored = () =>
      withMongo(cluster.mongoUri(iso.dbName), async (c) => {
        const ids = await c.db().collection('activities').distinct('eventId');
        return ids.length;
      });
    return { iso, producers, consumers: consumerApps, count, uniqueStored };
  };

  const loadOn = (producers: AppProcess[], idPrefix: string) => {
    let turn = 0;
    return new SteadyLoad({
      url: () => producers[(turn += 1) % producers.length].url,
      idPrefix,
      batchSize: 20,
      // Far above what the machine takes: each loop sends its next request once answered.
      requestsPerSecond: 10_000,
      users: 200,
      concurrency: 8,
    });
  };

  /** Waits until `count()` reaches `target` (or stops growing for 60 s); returns the last growth. */
  const timeDrain = async (count: () => Promise<number>, target: number) => {
    let last = { at: Date.now(), n: -1 };
    let first: { at: number; n: number } | undefined;
    for (;;) {
      const n = await count();
      const now = Date.now();
      if (n > 0 && !first) first = { at: now, n };
      if (n !== last.n) last = { at: now, n };
      if (n >= target || now - last.at > 60_000) break;
      await sleep(100);
    }
    return { first, last };
  };

  it.each([1, 2])(
    'API instances: %i (closed loop, 8 request loops of 20 events)',
    async (apis) => {
      const run = await setup(`sa${apis}`, apis, 1);
      const all = [...run.producers, ...run.consumers];
      try {
        await Promise.all(all.map((a) => a.start(120_000)));
        const warm = loadOn(run.producers, `sa${apis}w`);
        warm.start();
        await sleep(3000);
        await warm.stop();
        const load = loadOn(run.producers, `sa${apis}`);
        const started = Date.now();
        load.start();
        await sleep(API_WINDOW_MS);
        const result = await load.stop();
        const ms = Date.now() - started;
        const acked = result.acked.size + warm.result.acked.size;
        await timeDrain(run.count, acked);
        results.push({
          what: 'api',
          instances: apis,
          events: result.acked.size,
          seconds: Math.round(ms / 100) / 10,
          eventsPerSecond: rate(result.acked.size, ms),
        });
        expect(result.acked.size).toBeGreaterThan(0);
        expect({ stored: await run.count(), unique: await run.uniqueStored() }).toEqual({
          stored: acked,
          unique: acked,
        });
      } finally {
        await Promise.all(all.map((a) => a.stop()));
      }
    },
    10 * 60_000,
  );

  it.each([1, 3])(
    'consumer instances: %i (draining a backlog on 3 partitions)',
    async (consumers) => {
      const run = await setup(`sc${consumers}`, 1, consumers);
      const signal = (sig: NodeJS.Signals) =>
        run.consumers.forEach((c) => c.pid && c.exitCode === null && process.kill(c.pid, sig));
      try {
        await Promise.all([...run.producers, ...run.consumers].map((a) => a.start(120_000)));
        // The group must be whole before the backlog: otherwise the first member to join drains
        // it alone. Then the consumers are frozen (SIGSTOP, well within the 30 s session timeout)
        // while the backlog is written, and thawed together: the rate excludes the group's join.
        const stable = await eventually(
          () =>
            cluster.withAdmin(async (admin) => {
              const { groups } = await admin.describeGroups([run.iso.groupId]);
              return groups[0]?.state === 'Stable' && groups[0].members.length === consumers;
            }),
          120_000,
          500,
        );
        expect(stable).toBe(true);
        signal('SIGSTOP');
        const load = loadOn(run.producers, `sc${consumers}`);
        load.start();
        while (load.result.acked.size < BACKLOG_EVENTS) await sleep(100);
        const result = await load.stop();
        const backlog = result.acked.size;
        const resumedAt = Date.now();
        signal('SIGCONT');
        const { first, last } = await timeDrain(run.count, backlog);
        const events = last.n;
        const ms = last.at - resumedAt;
        results.push({
          what: 'consumer',
          instances: consumers,
          events,
          seconds: Math.round(ms / 100) / 10,
          eventsPerSecond: rate(events, Math.max(ms, 1)),
          storingEventsPerSecond: rate(
            last.n - (first?.n ?? 0),
            Math.max(last.at - (first?.at ?? last.at), 1),
          ),
        });
        expect(events).toBeGreaterThan(0);
        expect({ stored: await run.count(), unique: await run.uniqueStored() }).toEqual({
          stored: backlog,
          unique: backlog,
        });
      } finally {
        signal('SIGCONT');
        await Promise.all([...run.producers, ...run.consumers].map((a) => a.stop()));
      }
    },
    10 * 60_000,
  );
});
