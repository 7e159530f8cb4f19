import { Kafka, logLevel } from 'kafkajs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drain } from '../reliability/fault-matrix';
import { SteadyLoad } from '../reliability/load';
import { AppProcess, eventually, freePort, sleep } from '../support/app-process';
import { REPO_ROOT } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import { MirrorMaker, installMirrorMaker } from '../support/mirror-maker';
import { PrivateInfra } from '../support/private-infra';

/** Every eventId on a topic of one broker, read from the start to the current end. */
async function idsOnTopic(brokers: string, topic: string): Promise<Set<string>> {
  const kafka = new Kafka({ clientId: 'dr-e2e', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Set(
    ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => e.partition),
  );
  const ids = new Set<string>();
  if (remaining.size === 0) return ids;
  const consumer = kafka.consumer({ groupId: `dr-e2e-reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 60_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = JSON.parse(message.value?.toString() ?? '{}') as { eventId?: string };
        if (value.eventId) ids.add(value.eventId);
        const end = ends.find((e) => e.partition === partition);
        if (end && BigInt(message.offset) + 1n >= BigInt(end.high)) remaining.delete(partition);
        if (remaining.size === 0) resolve();
      },
    });
  });
  clearTimeout(timer);
  await consumer.disconnect();
  return ids;
}

/** The topic's end offsets on a broker, summed over its partitions. */
async function endOffsets(brokers: string, topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'dr-e2e', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The group's committed offsets on a broker, summed over the topic's partitions (-1: none). */
async function committed(brokers: string, groupId: string, topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'dr-e2e', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const set = (offsets?.partitions ?? []).filter((p) => Number(p.offset) >= 0);
    return set.length === 0 ? -1 : set.reduce((sum, p) => sum + Number(p.offset), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Disaster recovery with MirrorMaker 2: load on cluster A, MM2 mirroring the topics and the
 * consumer group's offsets to cluster B, A killed whole, the apps started again on B. The consumer
 * resumes from the translated offsets; every event acknowledged on A that reached B is stored
 * exactly once (dedup absorbs the re-read overlap); what A acknowledged but had not mirrored is
 * the RPO, reported with the time to resume (RTO). Two single-broker clusters, to fit the machine.
 */
describe('disaster recovery: fail over to a MirrorMaker 2 replica cluster', () => {
  const iso = isolatedEnv('dr');
  let a: PrivateInfra;
  let b: PrivateInfra;
  let mm2: MirrorMaker;
  const apps: AppProcess[] = [];
  const figures: Record<string, number | string> = {};
  let outcome: {
    ackedOnA: number;
    mirrored: number;
    unmirrored: number;
    storedOfMirrored: number;
    duplicated: number;
    translatedOffsets: number;
    ackedOnB: number;
    lostOnB: number;
  };

  const startApps = async (brokers: string, label: string) => {
    const env = {
      ...iso.env,
      KAFKA_BROKERS: brokers,
      MONGODB_URI: a.mongoUri(iso.dbName),
      PRODUCER_SEND_TIMEOUT_MS: '3000',
    };
    const producer = new AppProcess('producer-api', await freePort(), env, `${iso.label}-${label}`);
    const consumer = new AppProcess('consumer', await freePort(), env, `${iso.label}-${label}`);
    apps.push(producer, consumer);
    await Promise.all([producer.start(120_000), consumer.start(120_000)]);
    return { producer, consumer };
  };

  beforeAll(async () => {
    await installMirrorMaker();
    a = await PrivateInfra.create(`dr-a-${Date.now()}`);
    b = await PrivateInfra.create(`dr-b-${Date.now()}`);
    // The database is A's FerretDB: it is not part of the Kafka cluster that is lost.
    await Promise.all([a.start(), b.start('kafka')]);

    const onA = await startApps(a.brokers, 'a');
    mm2 = new MirrorMaker({
      label: `dr-mm2-${iso.label}`,
      source: a.brokers,
      target: b.brokers,
      topics: `${iso.prefix.replace(/\./g, '\\.')}.*`,
      groups: iso.groupId.replace(/\./g, '\\.'),
    });
    let producerUrl = onA.producer.url;
    const load = new SteadyLoad({
      url: () => producerUrl,
      idPrefix: 'dr',
      batchSize: 10,
      requestsPerSecond: 10,
      users: 50,
      concurrency: 2,
    });
    load.start();
    mm2.start();
    // Mirroring is live once B has the topic with records and the group's offsets.
    const live = await eventually(
      async () =>
        (await idsOnTopic(b.brokers, iso.topic)).size > 0 &&
        (await committed(b.brokers, iso.groupId, iso.topic)) > 0,
      180_000,
      2000,
    );
    if (!live) throw new Error(`MirrorMaker 2 did not mirror within 180 s; see ${mm2.logFile}`);
    // The mirror lag in steady state: records on A not yet on B, sampled once a second.
    const behind: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const [onA, onB] = await Promise.all([
        endOffsets(a.brokers, iso.topic),
        endOffsets(b.brokers, iso.topic),
      ]);
      behind.push(Math.max(0, onA - onB));
      await sleep(1000);
    }
    figures.mirrorLagRecordsMax = Math.max(...behind);
    figures.mirrorLagRecordsMean = Math.round(behind.reduce((x, y) => x + y, 0) / behind.length);
    figures.offeredEventsPerSecond = 10 * 10;

    // Disaster: cluster A is gone (its broker killed), and the apps pointed at it with it.
    const killedAt = Date.now();
    await a.stop('kafka', true);
    const ackedOnA = new Set(load.result.acked);
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await mm2.stop();
    const onB = await idsOnTopic(b.brokers, iso.topic);
    const unmirrored = [...ackedOnA].filter((id) => !onB.has(id));
    // RPO: the oldest acknowledgement not on B at the time of the loss.
    const oldestUnmirrored = unmirrored
      .map((id) => load.result.timings.get(id)?.ackedAt ?? killedAt)
      .reduce((min, t) => Math.min(min, t), killedAt);
    figures.rpoSeconds = Math.round((killedAt - oldestUnmirrored) / 100) / 10;
    figures.unmirroredEvents = unmirrored.length;

    // Failover: the same apps, configured for B (KAFKA_BROKERS only).
    const translatedOffsets = await committed(b.brokers, iso.groupId, iso.topic);
    const failoverAt = Date.now();
    const ackedBeforeB = load.result.acked.size;
    const onBApps = await startApps(b.brokers, 'b');
    producerUrl = onBApps.producer.url;
    await eventually(async () => load.result.acked.size > ackedBeforeB, 60_000);
    figures.rtoAckSeconds = Math.round((Date.now() - killedAt) / 100) / 10;
    figures.appsStartSeconds = Math.round((Date.now() - failoverAt) / 100) / 10;
    await sleep(5000);
    await load.stop();

    const ackedOnB = [...load.result.acked].filter((id) => !ackedOnA.has(id));
    const owed = new Set([...ackedOnA].filter((id) => onB.has(id)).concat(ackedOnB));
    // Counting reads B's DLQ (A is gone) and the one database.
    const run = { infra: { brokers: b.brokers, mongoUri: (db: string) => a.mongoUri(db) }, iso };
    const { stored } = await drain(run, owed);
    const storedSet = new Set(stored);
    const firstStoredOnB = await withMongo(a.mongoUri(iso.dbName), (c) =>
      c
        .db()
        .collection<{ eventId: string; receivedAt: Date }>('activities')
        .find({ eventId: { $in: ackedOnB.slice(0, 2000) } })
        .sort({ receivedAt: 1 })
        .limit(1)
        .toArray(),
    );
    figures.rtoStoredSeconds = firstStoredOnB[0]
      ? Math.round((firstStoredOnB[0].receivedAt.getTime() - killedAt) / 100) / 10
      : '-';
    outcome = {
      ackedOnA: ackedOnA.size,
      mirrored: ackedOnA.size - unmirrored.length,
      unmirrored: unmirrored.length,
      storedOfMirrored: [...ackedOnA].filter((id) => onB.has(id) && storedSet.has(id)).length,
      duplicated: stored.length - storedSet.size,
      translatedOffsets,
      ackedOnB: ackedOnB.length,
      lostOnB: ackedOnB.filter((id) => !storedSet.has(id)).length,
    };
    const report = { ...outcome, ...figures };
    console.log(`disaster recovery (MirrorMaker 2):\n${JSON.stringify(report, null, 2)}`);
    writeFileSync(join(REPO_ROOT, '.infra', 'dr.json'), JSON.stringify(report, null, 2));
  }, 15 * 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await mm2?.stop();
    await Promise.all([a?.destroy(), b?.destroy()]);
  }, 120_000);

  it('mirrored the acknowledged events and the group offsets, translated, to B', () => {
    expect(outcome.ackedOnA).toBeGreaterThan(0);
    expect(outcome.mirrored).toBeGreaterThan(0);
    // The group's offsets on B came from A's checkpoints: the consumer resumes, not restarts.
    expect(outcome.translatedOffsets).toBeGreaterThan(0);
  });

  it('stores every mirrored event exactly once after the failover (dedup absorbs the overlap)', () => {
    expect(outcome.storedOfMirrored).toBe(outcome.mirrored);
    expect(outcome.duplicated).toBe(0);
  });

  it('takes traffic on B: events acknowledged there are all stored', () => {
    expect(outcome.ackedOnB).toBeGreaterThan(0);
    expect(outcome.lostOnB).toBe(0);
  });
});
