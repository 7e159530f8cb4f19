import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { AppProcess, freePort, sleep } from '../support/app-process';
import { REPO_ROOT } from '../support/infra';
import { IsolatedEnv, isolatedEnv, withMongo } from '../support/isolation';
import { PrivateInfra } from '../support/private-infra';
import { fillDisk, freeDisk, pauseInfra, pauseProcess, releaseSmallDisk, smallDisk } from './gray';
import { SteadyLoad } from './load';

export interface Profile {
  warmupMs: number;
  /** How long the broker or the database stays dead. */
  infraOutageMs: number;
  /** How long an app stays dead before it is restarted. */
  appOutageMs: number;
  afterHealMs: number;
  requestsPerSecond: number;
  batchSize: number;
}

export const PROFILES: Record<'short' | 'full', Profile> = {
  short: {
    warmupMs: 3000,
    infraOutageMs: 8000,
    appOutageMs: 3000,
    afterHealMs: 4000,
    requestsPerSecond: 10,
    batchSize: 10,
  },
  full: {
    warmupMs: 5000,
    infraOutageMs: 30_000,
    appOutageMs: 5000,
    afterHealMs: 10_000,
    requestsPerSecond: 20,
    batchSize: 25,
  },
};

export interface FaultRow {
  fault: string;
  /** Transactional rows: batches a read_committed reader sees in part (must be 0). */
  partialBatches?: number;
  /** The longest an answered request took (a hung API would show here). */
  slowestAnswerMs?: number;
  /** Rows with a readiness check: the app answered 503 on /health/ready during the fault. */
  readinessDipped?: boolean;
  /** What a row's own checks found wrong (must be empty). */
  problems?: string[];
  acknowledged: number;
  stored: number;
  deadLettered: number;
  lost: number;
  duplicated: number;
  refusedRequests: number;
  recoverSeconds: number | null;
}

interface Run {
  infra: PrivateInfra;
  iso: IsolatedEnv;
  env: Record<string, string>;
  producer: AppProcess;
  consumers: AppProcess[];
}

interface Fault {
  name: string;
  inject(run: Run): Promise<void>;
  /** Brings the system back; resolves when the healing action was taken. */
  heal(run: Run): Promise<void>;
  outage(profile: Profile): number;
  /** What shows recovery: the API acknowledging again, or the consumer storing again. */
  recoveredWhen: 'acknowledged' | 'stored';
  /** Extra app environment for this row (e.g. transactions on). */
  env?: Record<string, string>;
  /** Count, with a read_committed reader, the batches on the topic in part (transactions). */
  checkAtomicBatches?: boolean;
  /** Poll this app's readiness during the fault: it must go 503 (and come back: recovery). */
  readiness?: 'producer' | 'consumer';
  /** Checks after healing; each returns what is wrong, or null. */
  verify?(run: Run): Promise<string | null>;
}

const restartApp = async (run: Run, old: AppProcess): Promise<AppProcess> =>
  new AppProcess(old.name, old.port, run.env, `${run.iso.label}-r`).start(120_000);

export const FAULTS: Fault[] = [
  {
    name: 'kill -9 consumer',
    inject: (run) => run.consumers[0].stop('SIGKILL'),
    heal: async (run) => void (run.consumers[0] = await restartApp(run, run.consumers[0])),
    outage: (p) => p.appOutageMs,
    recoveredWhen: 'stored',
  },
  {
    name: 'kill -9 database',
    inject: (run) => run.infra.stop('ferretdb', true),
    heal: (run) => run.infra.start('ferretdb'),
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'stored',
  },
  {
    name: 'kill -9 Kafka broker',
    inject: (run) => run.infra.stop('kafka', true),
    heal: (run) => run.infra.start('kafka'),
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'acknowledged',
  },
  {
    // Three produce calls in flight, one lane per partition, each lane's producer renewed on its
    // own failure: the sequence-number hazard of serial-sender.ts must not come back with them.
    name: 'kill -9 Kafka broker (3 producer lanes)',
    env: { PRODUCER_LANES: '3' },
    inject: (run) => run.infra.stop('kafka', true),
    heal: (run) => run.infra.start('kafka'),
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'acknowledged',
  },
  {
    name: 'kill -9 producer-api',
    inject: (run) => run.producer.stop('SIGKILL'),
    heal: async (run) => void (run.producer = await restartApp(run, run.producer)),
    outage: (p) => p.appOutageMs,
    recoveredWhen: 'acknowledged',
  },
  {
    // Transactions: a batch cut by the crash is aborted (the restarted instance's InitProducerId
    // with the same transactional id aborts what was left open), so readers see it whole or not.
    name: 'kill -9 producer-api (transactions on)',
    env: { PRODUCER_TRANSACTIONS: 'on', PRODUCER_TRANSACTIONAL_ID: 'fault-matrix-api' },
    checkAtomicBatches: true,
    inject: (run) => run.producer.stop('SIGKILL'),
    heal: async (run) => void (run.producer = await restartApp(run, run.producer)),
    outage: (p) => p.appOutageMs,
    recoveredWhen: 'acknowledged',
  },
  {
    name: 'pause Kafka broker (SIGSTOP)',
    inject: async (run) => pauseInfra(run.infra, 'kafka', true),
    heal: async (run) => pauseInfra(run.infra, 'kafka', false),
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'acknowledged',
    readiness: 'producer',
  },
  {
    name: 'pause database (SIGSTOP)',
    inject: async (run) => pauseInfra(run.infra, 'ferretdb', true),
    heal: async (run) => pauseInfra(run.infra, 'ferretdb', false),
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'stored',
    readiness: 'consumer',
  },
  {
    name: 'pause consumer (SIGSTOP)',
    inject: async (run) => pauseProcess(run.consumers[0].pid, true),
    heal: async (run) => pauseProcess(run.consumers[0].pid, false),
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'stored',
  },
  {
    name: 'pause producer-api (SIGSTOP)',
    inject: async (run) => pauseProcess(run.producer.pid, true),
    heal: async (run) => pauseProcess(run.producer.pid, false),
    outage: (p) => p.appOutageMs,
    recoveredWhen: 'acknowledged',
  },
  {
    name: 'database disk full',
    inject: async (run) => fillDisk(run.infra, 'ferretdb'),
    heal: async (run) => freeDisk(run.infra, 'ferretdb'),
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'stored',
    // The consumer waits (transient), says why in its metrics, and dead-letters nothing for it.
    verify: async (run) => {
      const text = await (await fetch(`${run.consumers[0].url}/metrics`)).text();
      return /eyego_sink_failures_total\{[^}]*cause="disk_full"[^}]*\} [1-9]/.test(text)
        ? null
        : 'no eyego_sink_failures_total{cause="disk_full"} on the consumer';
    },
  },
  {
    // Kafka takes a log directory it cannot write to offline, and with its only one it stops:
    // the API answers 503 meanwhile; space freed, the broker is started again.
    name: 'Kafka disk full',
    inject: async (run) => fillDisk(run.infra, 'kafka'),
    heal: async (run) => {
      freeDisk(run.infra, 'kafka');
      // What an operator does once space is back: restart the broker (stopped, or still up with
      // its log directory offline).
      await run.infra.stop('kafka');
      await run.infra.start('kafka');
    },
    outage: (p) => p.infraOutageMs,
    recoveredWhen: 'acknowledged',
  },
  {
    name: 'rebalance (2nd consumer joins, leaves)',
    inject: async (run) => {
      run.consumers.push(
        await new AppProcess('consumer', await freePort(), run.env, `${run.iso.label}-2`).start(),
      );
    },
    heal: async (run) => run.consumers.pop()?.stop('SIGTERM'),
    outage: (p) => p.appOutageMs,
    recoveredWhen: 'stored',
  },
];

/** What counting needs of a run: where its database and broker(s) are, and its names. */
export interface Counted {
  infra: { brokers: string; mongoUri(db: string): string };
  iso: IsolatedEnv;
}

async function storedIds(run: Counted): Promise<string[]> {
  return withMongo(run.infra.mongoUri(run.iso.dbName), async (client) => {
    const docs = await client
      .db()
      .collection('activities')
      .find({}, { projection: { _id: 0, eventId: 1 } })
      .toArray();
    return docs.map((d) => String(d.eventId));
  });
}

/** Every eventId found in the DLQ topic, read from the beginning to the current end. */
async function deadLetteredIds(run: Counted): Promise<Set<string>> {
  const kafka = new Kafka({
    brokers: run.infra.brokers.split(','),
    clientId: 'fault-matrix',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(run.iso.dlqTopic);
  await admin.disconnect();
  const remaining = ends.filter((e) => BigInt(e.high) > BigInt(e.low)).length;
  const ids = new Set<string>();
  if (remaining === 0) return ids;
  const consumer = kafka.consumer({
    groupId: `${run.iso.prefix}fault-matrix-dlq-${Date.now()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: run.iso.dlqTopic, fromBeginning: true });
  const done = new Set<number>();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = JSON.parse(message.value?.toString() ?? '{}') as { eventId?: string };
        if (value.eventId) ids.add(value.eventId);
        const end = ends.find((e) => e.partition === partition);
        if (end && BigInt(message.offset) + 1n >= BigInt(end.high)) done.add(partition);
        if (done.size >= remaining) resolve();
      },
    });
    setTimeout(resolve, 30_000);
  });
  await consumer.disconnect();
  return ids;
}

/**
 * Watches the stored count for `windowMs` after healing; returns when it first grew (the consumer
 * stores again), or undefined if it never did within the window.
 */
export async function firstStoreAfter(
  run: Counted,
  since: number,
  windowMs: number,
): Promise<number | undefined> {
  const count = () =>
    withMongo(run.infra.mongoUri(run.iso.dbName), (c) =>
      c.db().collection('activities').estimatedDocumentCount(),
    ).catch(() => -1);
  // Healing may itself take a while (a restarted consumer waits to rejoin its group): the window
  // opens when healing is done, and recovery is measured from when it started.
  const opened = Date.now();
  let before = -1;
  let grewAt: number | undefined;
  while (Date.now() - opened < windowMs || grewAt === undefined) {
    const now = await count();
    if (before < 0) before = now;
    else if (grewAt === undefined && now > before) grewAt = Date.now();
    if (Date.now() - opened > windowMs * 6) break;
    await sleep(250);
  }
  return grewAt === undefined ? undefined : Math.max(grewAt, since);
}

/** Waits until every acknowledged event is stored or dead-lettered, or progress stops. */
export async function drain(
  run: Counted,
  acked: Set<string>,
): Promise<{ stored: string[]; dlq: Set<string> }> {
  let last = -1;
  let stalledSince = Date.now();
  for (;;) {
    const stored = await storedIds(run).catch(() => [] as string[]);
    const have = new Set(stored);
    const missing = [...acked].filter((id) => !have.has(id)).length;
    if (missing === 0) return { stored, dlq: await deadLetteredIds(run) };
    if (stored.length !== last) {
      last = stored.length;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 45_000) {
      return { stored, dlq: await deadLetteredIds(run) };
    }
    await sleep(500);
  }
}

async function runFault(
  infra: PrivateInfra,
  fault: Fault,
  profile: Profile,
  index: number,
): Promise<FaultRow> {
  const iso = isolatedEnv(`fm${index}`);
  const env = {
    ...iso.env,
    ...infra.appEnv(iso.dbName),
    PRODUCER_SEND_TIMEOUT_MS: '3000',
    ...(fault.env ?? {}),
  };
  const run: Run = {
    infra,
    iso,
    env,
    producer: new AppProcess('producer-api', await freePort(), env, iso.label),
    consumers: [new AppProcess('consumer', await freePort(), env, iso.label)],
  };
  try {
    await Promise.all([run.producer.start(), run.consumers[0].start()]);
    return await measureFault(run, fault, profile, index);
  } finally {
    // Whatever happened, no app of this scenario outlives it.
    await Promise.all([run.producer.stop(), ...run.consumers.map((c) => c.stop())]);
  }
}

async function measureFault(
  run: Run,
  fault: Fault,
  profile: Profile,
  index: number,
): Promise<FaultRow> {
  const load = new SteadyLoad({
    url: () => run.producer.url,
    idPrefix: `fm${index}`,
    batchSize: profile.batchSize,
    requestsPerSecond: profile.requestsPerSecond,
    users: 50,
    concurrency: 4,
  });
  load.start();
  let healStarted = Date.now();
  let storedAgainAt: number | undefined;
  const probe = { dipped: false };
  try {
    await sleep(profile.warmupMs);
    process.stderr.write(`[fault-matrix] ${fault.name}: injecting\n`);
    await fault.inject(run);
    await watchReadiness(run, fault, fault.outage(profile), probe);
    healStarted = Date.now();
    await fault.heal(run);
    storedAgainAt = await firstStoreAfter(run, healStarted, profile.afterHealMs);
  } finally {
    await load.stop();
  }
  const problems: string[] = [];
  if (fault.readiness && !probe.dipped) problems.push(`${fault.readiness} readiness never 503`);
  const verified = fault.verify ? await fault.verify(run) : null;
  const result = load.result;
  const recoveredAt =
    fault.recoveredWhen === 'acknowledged' ? result.firstAckAfter(healStarted) : storedAgainAt;
  process.stderr.write(
    `[fault-matrix] ${fault.name}: draining ${result.acked.size} acknowledged events\n`,
  );
  const { stored, dlq } = await drain(run, result.acked);
  const storedSet = new Set(stored);
  const ackedStored = [...result.acked].filter((id) => storedSet.has(id)).length;
  const ackedDlq = [...result.acked].filter((id) => !storedSet.has(id) && dlq.has(id)).length;
  const storedAndDlq = [...result.acked].filter((id) => storedSet.has(id) && dlq.has(id)).length;
  return {
    fault: fault.name,
    acknowledged: result.acked.size,
    stored: ackedStored,
    deadLettered: ackedDlq,
    lost: result.acked.size - ackedStored - ackedDlq,
    duplicated: stored.length - storedSet.size + storedAndDlq,
    refusedRequests: result.refused + result.errors,
    recoverSeconds:
      recoveredAt === undefined ? null : Math.round((recoveredAt - healStarted) / 100) / 10,
    ...(fault.checkAtomicBatches
      ? { partialBatches: await partialBatches(run, profile.batchSize) }
      : {}),
    slowestAnswerMs: result.slowestMs,
    ...(fault.readiness ? { readinessDipped: probe.dipped } : {}),
    problems: [...problems, ...(verified ? [verified] : [])],
  };
}

/** Waits out the outage; with `fault.readiness`, polls that app's readiness meanwhile. */
async function watchReadiness(
  run: Run,
  fault: Fault,
  ms: number,
  probe: { dipped: boolean },
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (fault.readiness) {
      const app = fault.readiness === 'producer' ? run.producer : run.consumers[0];
      const res = await fetch(`${app.url}/health/ready`, {
        signal: AbortSignal.timeout(5000),
      }).catch(() => null);
      if (res?.status === 503) probe.dipped = true;
      await res?.arrayBuffer();
    }
    await sleep(500);
  }
}

/**
 * Batches a read_committed reader sees in part: every record of the topic, counted per batch id
 * (records of the same eventId once). With transactions each batch is 0 or `size` records.
 */
async function partialBatches(run: Run, size: number): Promise<number> {
  const kafka = new Kafka({
    brokers: [run.infra.brokers],
    clientId: 'fault-matrix',
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `${run.iso.prefix}fault-matrix-batches-${Date.now()}`,
    readUncommitted: false,
  });
  const seen = new Map<string, Set<string>>();
  let lastAt = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topic: run.iso.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      lastAt = Date.now();
      const value = JSON.parse(message.value?.toString() ?? '{}') as {
        eventId?: string;
        metadata?: { batch?: string };
      };
      const batch = value.metadata?.batch;
      if (!batch || !value.eventId) return;
      const ids = seen.get(batch) ?? new Set<string>();
      ids.add(value.eventId);
      seen.set(batch, ids);
    },
  });
  // Until the topic has been quiet for 3 s (read_committed stops at the last stable offset).
  const started = Date.now();
  while (Date.now() - lastAt < 3000 && Date.now() - started < 60_000) await sleep(250);
  await consumer.disconnect();
  return [...seen.values()].filter((ids) => ids.size !== size).length;
}

export function formatTable(rows: FaultRow[]): string {
  const head = [
    'fault',
    'acknowledged',
    'stored',
    'dead-lettered',
    'lost',
    'duplicated',
    'refused req',
    'recover s',
    'partial batches',
    'slowest answer ms',
  ];
  const body = rows.map((r) => [
    r.fault,
    r.acknowledged,
    r.stored,
    r.deadLettered,
    r.lost,
    r.duplicated,
    r.refusedRequests,
    r.recoverSeconds ?? '-',
    r.partialBatches ?? '-',
    r.slowestAnswerMs ?? '-',
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((row) => String(row[i]).length)),
  );
  const line = (cells: (string | number)[]) =>
    `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

/** Runs every fault against a private Kafka + FerretDB; writes .infra/fault-matrix.json. */
export async function runFaultMatrix(profileName: 'short' | 'full'): Promise<FaultRow[]> {
  const profile = PROFILES[profileName];
  const infra = await PrivateInfra.create(`fault-matrix-${Date.now()}`);
  // Small disks of their own for the broker and the database, so the disk rows can fill them.
  smallDisk(infra, 'kafka', 512);
  smallDisk(infra, 'ferretdb', 512);
  await infra.start();
  const rows: FaultRow[] = [];
  try {
    for (const [i, fault] of FAULTS.entries()) {
      rows.push(await runFault(infra, fault, profile, i));
      process.stderr.write(`${formatTable(rows.slice(-1))}\n`);
    }
  } finally {
    await infra.stop('all', true);
    releaseSmallDisk(infra, 'kafka');
    releaseSmallDisk(infra, 'ferretdb');
    await infra.destroy();
  }
  writeFileSync(
    join(REPO_ROOT, '.infra', 'fault-matrix.json'),
    JSON.stringify({ profile: profileName, rows }, null, 2),
  );
  return rows;
}
