import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaAdminCli } from '../kafka-admin/kafka-admin.support';
import { drain } from '../reliability/fault-matrix';
import { LoadResult, SteadyLoad } from '../reliability/load';
import { AppProcess, freePort, sleep } from '../support/app-process';
import { REPO_ROOT } from '../support/infra';
import { IsolatedEnv, isolatedEnv, withMongo } from '../support/isolation';
import { PrivateCluster } from '../support/private-cluster';

/** The API's send timeout in these runs: a 503 must come within it (plus scheduling margin). */
export const SEND_TIMEOUT_MS = 5000;

export interface ClusterProfile {
  warmupMs: number;
  /** How long a killed node (or two) stays down. */
  outageMs: number;
  afterHealMs: number;
  requestsPerSecond: number;
  batchSize: number;
}

export const CLUSTER_PROFILES: Record<'short' | 'full', ClusterProfile> = {
  short: {
    warmupMs: 3000,
    outageMs: 8000,
    afterHealMs: 5000,
    requestsPerSecond: 8,
    batchSize: 10,
  },
  full: {
    warmupMs: 5000,
    outageMs: 20_000,
    afterHealMs: 10_000,
    requestsPerSecond: 10,
    batchSize: 20,
  },
};

interface Run {
  infra: PrivateCluster;
  iso: IsolatedEnv;
  env: Record<string, string>;
  /** The first (or only) API and consumer instance. */
  producer: AppProcess;
  consumer: AppProcess;
  /** Every API and consumer instance of the row (one of each unless the fault asks for more). */
  producers: AppProcess[];
  consumers: AppProcess[];
  /** What the row did, in its own words (node ids, timings), for the table's notes. */
  notes: string[];
  /** What the row's own checks found wrong. */
  problems: string[];
  /** The nodes the row killed, for its heal. */
  killed: number[];
  /** The running load, for faults that watch the API answer mid-fault. */
  load?: SteadyLoad;
  /** When the fault took effect (a kill: once the process is gone); default: before inject. */
  faultAt?: number;
  /** When the row's killed apps were ready again (scale-out). */
  healedAt?: number;
}

export interface ClusterFault {
  name: string;
  /** In `npm test` (short profile) too, or only in `npm run fault-matrix -- --cluster`. */
  short: boolean;
  inject(run: Run, profile: ClusterProfile): Promise<void>;
  /** Brings the cluster back to full strength; resolves when healed (ISR full). */
  heal(run: Run, profile: ClusterProfile): Promise<void>;
  /** The row expects the API to refuse (503) during the fault, each answer within the timeout. */
  expectRefusals?: boolean;
  /** API and consumer instances (same group) the row runs; default one of each. */
  instances?: { apis: number; consumers: number };
  /** Checks after draining; each returns what is wrong, or null. */
  verify?(run: Run): Promise<string | null>;
}

export interface ClusterRow {
  fault: string;
  acknowledged: number;
  stored: number;
  deadLettered: number;
  lost: number;
  duplicated: number;
  refusedRequests: number;
  slowestAnswerMs: number;
  /** From the fault's injection to the first acknowledged request sent after it. */
  firstAckS: number | null;
  /** From the fault's injection to the first event sent after it being stored. */
  firstStoredS: number | null;
  /** Users whose events were stored in an order other than acknowledged (A acked before B sent). */
  usersOutOfOrder: number;
  /** The same within one partition: a real ordering bug (must be 0). */
  samePartitionOutOfOrder: number;
  /** Users whose events are on more than one partition (keys moved by a partition increase). */
  usersMovedPartition: number;
  /** Per API instance: events it acknowledged and how many of those are stored. */
  perApi: { api: string; acknowledged: number; stored: number }[];
  notes: string[];
  problems: string[];
}

const activityPartitionLeader = (run: Run) => run.infra.leaderOf(run.iso.topic, 0);

const rejoin = async (run: Run, id: number): Promise<void> => {
  await run.infra.node('start', id);
  const ms = await run.infra.waitFullIsr();
  run.notes.push(`node ${id} back, ISR full ${(ms / 1000).toFixed(1)} s later`);
};

export const CLUSTER_FAULTS: ClusterFault[] = [
  {
    name: 'kill -9 partition leader',
    short: true,
    inject: async (run) => {
      const leader = await activityPartitionLeader(run);
      run.notes.push(`leader of partition 0: node ${leader}`);
      run.killed = [leader];
      await run.infra.node('kill', leader);
      run.faultAt = Date.now();
    },
    heal: async (run, profile) => {
      await sleep(profile.outageMs);
      await rejoin(run, run.killed[0]);
    },
  },
  {
    name: 'kill -9 active controller',
    short: false,
    inject: async (run) => {
      const controller = await run.infra.controller();
      run.notes.push(`active controller: node ${controller}`);
      run.killed = [controller];
      await run.infra.node('kill', controller);
      run.faultAt = Date.now();
      await sleep(3000);
      run.notes.push(`new controller: node ${await run.infra.controller()}`);
    },
    heal: async (run, profile) => {
      await sleep(profile.outageMs);
      await rejoin(run, run.killed[0]);
    },
  },
  {
    // The upgrade runbook (README "Kafka cluster"): one node at a time, SIGTERM (controlled
    // shutdown moves its leaderships first), start, wait for the full ISR before the next.
    name: 'rolling restart of all 3 brokers',
    short: false,
    inject: async (run) => {
      for (let id = 1; id <= run.infra.size; id += 1) {
        const started = Date.now();
        await run.infra.node('restart', id);
        const isrMs = await run.infra.waitFullIsr();
        run.notes.push(
          `node ${id}: restarted in ${((Date.now() - started - isrMs) / 1000).toFixed(1)} s, ISR full ${(isrMs / 1000).toFixed(1)} s later`,
        );
      }
    },
    heal: async () => undefined,
  },
  {
    // One node left: below min.insync.replicas (2) nothing can be acknowledged, and the quorum
    // (2 of 3 voters) is gone too. The API must answer 503 within its send timeout.
    name: '2 of 3 brokers down',
    short: false,
    expectRefusals: true,
    inject: async (run, profile) => {
      const leader = await activityPartitionLeader(run);
      run.killed = [[1, 2, 3].find((id) => id !== leader) ?? 1, leader];
      for (const id of run.killed) await run.infra.node('kill', id);
      run.faultAt = Date.now();
      run.notes.push(`killed nodes ${run.killed.join(' and ')}`);
      await sleep(profile.outageMs);
      // One comes back: quorum and min.insync.replicas are met again, with no operator action.
      const back = Date.now();
      await run.infra.node('start', run.killed[1]);
      run.notes.push(`node ${run.killed[1]} back after ${profile.outageMs / 1000} s`);
      const result = run.load?.result;
      await waitFor(() => result?.firstAckOfRequestSentAfter(back) !== undefined);
      const acked = result?.firstAckOfRequestSentAfter(back);
      run.notes.push(
        `first ack ${acked === undefined ? '-' : ((acked - back) / 1000).toFixed(1)} s after one node returned`,
      );
    },
    heal: (run) => rejoin(run, run.killed[0]),
  },
  {
    // Issue 18's scale-out: two APIs behind a round robin and three consumers in one group (one
    // per partition); one of each dies by kill -9 mid-stream and comes back. The killed API's
    // in-flight requests fail (not acknowledged, so not owed); the killed consumer's partition
    // moves to the survivors and back, re-reading what it had not committed (dedup absorbs it).
    name: 'scale-out: 2 APIs + 3 consumers, kill -9 one of each',
    short: false,
    instances: { apis: 2, consumers: 3 },
    inject: async (run) => {
      const [api, consumer] = [run.producers[1], run.consumers[1]];
      run.notes.push(`kill -9 API 2 (pid ${api.pid}) and consumer 2 (pid ${consumer.pid})`);
      await Promise.all([api.stop('SIGKILL'), consumer.stop('SIGKILL')]);
      run.faultAt = Date.now();
    },
    heal: async (run, profile) => {
      await sleep(profile.outageMs);
      const started = Date.now();
      await Promise.all([run.producers[1].start(120_000), run.consumers[1].start(120_000)]);
      run.healedAt = Date.now();
      run.notes.push(
        `API 2 and consumer 2 restarted after ${profile.outageMs / 1000} s, ready ${((run.healedAt - started) / 1000).toFixed(1)} s later`,
      );
    },
    verify: async (run) => {
      const dead = [...run.producers, ...run.consumers].filter((p) => p.exitCode !== null);
      if (dead.length > 0) return `${dead.length} app instance(s) not running at the end`;
      const api2 = run.producers[1].url;
      const healedAt = run.healedAt ?? Infinity;
      const afterRestart = [...(run.load?.result.ackedVia ?? [])].filter(
        ([id, url]) => url === api2 && (run.load?.result.timings.get(id)?.sentAt ?? 0) >= healedAt,
      ).length;
      run.notes.push(`restarted API 2 acknowledged ${afterRestart} events after its restart`);
      const members = await run.infra.withAdmin(async (admin) => {
        const { groups } = await admin.describeGroups([run.iso.groupId]);
        return groups[0]?.members.length ?? 0;
      });
      run.notes.push(`consumer group members at the end: ${members}`);
      if (afterRestart === 0) return 'the restarted API acknowledged nothing after its restart';
      return members === run.consumers.length
        ? null
        : `consumer group has ${members} members, expected ${run.consumers.length}`;
    },
  },
  {
    // The spec's `--alter --partitions 6`, with the project's CLI, under load: keys (users) move
    // to other partitions, so one user's events may be stored out of order across the change.
    name: 'partition increase 3 -> 6',
    short: true,
    inject: async (run) => {
      const res = await kafkaAdminCli(
        ['topics', 'alter', '--topic', run.iso.topic, '--partitions', '6'],
        run.env,
      );
      if (res.code !== 0) throw new Error(`kafka-admin topics alter failed: ${res.stderr}`);
      run.notes.push(res.stdout.trim());
    },
    heal: async (run, profile) => {
      // Producer and consumer see the new partitions within KAFKA_METADATA_MAX_AGE_MS (5 s here).
      await sleep(profile.outageMs);
    },
    verify: async (run) => {
      const onNew = await withMongo(run.infra.mongoUri(run.iso.dbName), (c) =>
        c
          .db()
          .collection('activities')
          .countDocuments({ 'kafka.partition': { $gte: 3 } }),
      );
      run.notes.push(`${onNew} events stored from the new partitions 3-5`);
      return onNew > 0 ? null : 'nothing was stored from the new partitions 3-5';
    },
  },
];

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await sleep(250);
}

interface StoredDoc {
  eventId: string;
  userId: string;
  receivedAt: Date;
  kafka?: { partition: number };
}

/**
 * Per user: events A and B where A was acknowledged before B was sent, yet B was stored first
 * (receivedAt). Across partitions that is the partition increase moving a key; within one
 * partition it would be a bug.
 */
export function countOutOfOrder(
  docs: StoredDoc[],
  timings: LoadResult['timings'],
): { users: number; samePartition: number; moved: number } {
  const byUser = new Map<string, StoredDoc[]>();
  for (const d of docs) {
    if (!timings.has(d.eventId)) continue;
    byUser.set(d.userId, [...(byUser.get(d.userId) ?? []), d]);
  }
  let users = 0;
  let samePartition = 0;
  let moved = 0;
  for (const events of byUser.values()) {
    if (new Set(events.map((e) => e.kafka?.partition)).size > 1) moved += 1;
    let outOfOrder = false;
    for (const b of events) {
      const sentB = timings.get(b.eventId)?.sentAt ?? 0;
      for (const a of events) {
        const ackedA = timings.get(a.eventId)?.ackedAt ?? Infinity;
        if (ackedA < sentB && b.receivedAt.getTime() < a.receivedAt.getTime()) {
          outOfOrder = true;
          if (a.kafka?.partition === b.kafka?.partition) samePartition += 1;
        }
      }
    }
    if (outOfOrder) users += 1;
  }
  return { users, samePartition, moved };
}

async function runRow(
  cluster: PrivateCluster,
  fault: ClusterFault,
  profile: ClusterProfile,
  index: number,
): Promise<ClusterRow> {
  const iso = isolatedEnv(`cl${index}`);
  const env = {
    ...iso.env,
    ...cluster.appEnv(iso.dbName),
    PRODUCER_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
    KAFKA_METADATA_MAX_AGE_MS: '5000',
  };
  const { apis, consumers } = fault.instances ?? { apis: 1, consumers: 1 };
  const producers: AppProcess[] = [];
  for (let i = 0; i < apis; i += 1)
    producers.push(new AppProcess('producer-api', await freePort(), env, iso.label));
  const consumerApps: AppProcess[] = [];
  for (let i = 0; i < consumers; i += 1)
    consumerApps.push(new AppProcess('consumer', await freePort(), env, iso.label));
  const run: Run = {
    infra: cluster,
    iso,
    env,
    producer: producers[0],
    consumer: consumerApps[0],
    producers,
    consumers: consumerApps,
    notes: [],
    problems: [],
    killed: [],
  };
  const all = [...producers, ...consumerApps];
  try {
    await Promise.all(all.map((app) => app.start(120_000)));
    return await measure(run, fault, profile, index);
  } finally {
    await Promise.all(all.map((app) => app.stop()));
  }
}

async function measure(
  run: Run,
  fault: ClusterFault,
  profile: ClusterProfile,
  index: number,
): Promise<ClusterRow> {
  // Round robin over the running APIs, as a load balancer whose health check dropped a dead one.
  let turn = 0;
  const url = () => {
    const live = run.producers.filter((p) => p.exitCode === null);
    const pool = live.length > 0 ? live : run.producers;
    turn += 1;
    return pool[turn % pool.length].url;
  };
  const load = new SteadyLoad({
    url,
    idPrefix: `cl${index}`,
    batchSize: profile.batchSize,
    requestsPerSecond: profile.requestsPerSecond,
    users: 50,
    concurrency: 4,
  });
  run.load = load;
  load.start();
  let faultAt = Date.now();
  try {
    await sleep(profile.warmupMs);
    process.stderr.write(`[cluster-matrix] ${fault.name}: injecting\n`);
    faultAt = Date.now();
    await fault.inject(run, profile);
    faultAt = run.faultAt ?? faultAt;
    await fault.heal(run, profile);
    await sleep(profile.afterHealMs);
  } finally {
    await load.stop();
  }
  const result = load.result;
  process.stderr.write(
    `[cluster-matrix] ${fault.name}: draining ${result.acked.size} acknowledged events\n`,
  );
  const { stored, dlq } = await drain(run, result.acked);
  const storedSet = new Set(stored);
  const ackedStored = [...result.acked].filter((id) => storedSet.has(id)).length;
  const ackedDlq = [...result.acked].filter((id) => !storedSet.has(id) && dlq.has(id)).length;
  const storedAndDlq = [...result.acked].filter((id) => storedSet.has(id) && dlq.has(id)).length;
  const docs = await withMongo(run.infra.mongoUri(run.iso.dbName), (c) =>
    c
      .db()
      .collection<StoredDoc>('activities')
      .find({}, { projection: { _id: 0, eventId: 1, userId: 1, receivedAt: 1, kafka: 1 } })
      .toArray(),
  );
  const order = countOutOfOrder(docs, result.timings);
  const firstStored = docs
    .filter((d) => (result.timings.get(d.eventId)?.sentAt ?? 0) >= faultAt)
    .reduce<number | undefined>(
      (min, d) => Math.min(min ?? d.receivedAt.getTime(), d.receivedAt.getTime()),
      undefined,
    );
  const firstAck = result.firstAckOfRequestSentAfter(faultAt);
  const seconds = (t: number | undefined) =>
    t === undefined ? null : Math.round((t - faultAt) / 100) / 10;
  const problems = [...run.problems];
  if (fault.verify) {
    const wrong = await fault.verify(run);
    if (wrong) problems.push(wrong);
  }
  return {
    fault: fault.name,
    acknowledged: result.acked.size,
    stored: ackedStored,
    deadLettered: ackedDlq,
    lost: result.acked.size - ackedStored - ackedDlq,
    duplicated: stored.length - storedSet.size + storedAndDlq,
    refusedRequests: result.refused + result.errors,
    slowestAnswerMs: result.slowestMs,
    firstAckS: seconds(firstAck),
    firstStoredS: seconds(firstStored),
    usersOutOfOrder: order.users,
    samePartitionOutOfOrder: order.samePartition,
    usersMovedPartition: order.moved,
    perApi: run.producers.map((p, i) => {
      const via = [...result.ackedVia].filter(([, u]) => u === p.url).map(([id]) => id);
      return {
        api: `API ${i + 1}`,
        acknowledged: via.length,
        stored: via.filter((id) => storedSet.has(id)).length,
      };
    }),
    notes: run.notes,
    problems,
  };
}

export function formatClusterTable(rows: ClusterRow[]): string {
  const head = [
    'fault',
    'acknowledged',
    'stored',
    'lost',
    'duplicated',
    'refused req',
    'slowest answer ms',
    'first ack s',
    'first stored s',
    'users moved',
    'users out of order',
  ];
  const body = rows.map((r) => [
    r.fault,
    r.acknowledged,
    r.stored,
    r.lost,
    r.duplicated,
    r.refusedRequests,
    r.slowestAnswerMs,
    r.firstAckS ?? '-',
    r.firstStoredS ?? '-',
    r.usersMovedPartition,
    r.usersOutOfOrder,
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((row) => String(row[i]).length)),
  );
  const line = (cells: (string | number)[]) =>
    `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const perApi = (r: ClusterRow) =>
    r.perApi.length > 1
      ? [
          `per API acknowledged/stored: ${r.perApi.map((a) => `${a.api} ${a.acknowledged}/${a.stored}`).join(', ')}`,
        ]
      : [];
  const notes = rows.map((r) => `- ${r.fault}: ${[...r.notes, ...perApi(r)].join('; ')}`);
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
    '',
    ...notes,
  ].join('\n');
}

/**
 * The profile's rows; CLUSTER_MATRIX_ONLY (a part of a row's name) runs only the matching rows,
 * e.g. CLUSTER_MATRIX_ONLY=scale-out for one row without the whole 7-minute matrix.
 */
export function selectFaults(profileName: 'short' | 'full'): ClusterFault[] {
  const only = process.env.CLUSTER_MATRIX_ONLY;
  return CLUSTER_FAULTS.filter((f) => profileName === 'full' || f.short).filter(
    (f) => !only || f.name.includes(only),
  );
}

/** Runs the profile's rows against a private 3-node cluster; writes .infra/cluster-matrix.json. */
export async function runClusterMatrix(profileName: 'short' | 'full'): Promise<ClusterRow[]> {
  const profile = CLUSTER_PROFILES[profileName];
  const faults = selectFaults(profileName);
  const cluster = await PrivateCluster.create(`cluster-matrix-${Date.now()}`);
  const rows: ClusterRow[] = [];
  try {
    await cluster.start();
    for (const [i, fault] of faults.entries()) {
      rows.push(await runRow(cluster, fault, profile, i));
      process.stderr.write(`${formatClusterTable(rows.slice(-1))}\n`);
    }
  } finally {
    await cluster.destroy();
  }
  writeFileSync(
    join(REPO_ROOT, '.infra', 'cluster-matrix.json'),
    JSON.stringify({ profile: profileName, rows }, null, 2),
  );
  return rows;
}
