import { DLQ_HEADERS } from '@app/contracts';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { getJson } from '../support/http';
import { KAFKA_BROKERS } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import {
  countStored,
  duplicatedIds,
  makeEvents,
  produceRaw,
  publish,
  readTopic,
  waitForStored,
} from '../consumer/consumer.support';
import { deleteTopicsWithPrefix, kafkaAdminCli } from '../kafka-admin/kafka-admin.support';

const EVENTS = 4000;
const USERS = 20;

/** The example's answer for one user, summed over days. */
async function dailyTotal(url: string, userId: string): Promise<number> {
  const res = await getJson<{ day: string; count: number }[]>(
    `${url}/v1/users/${userId}/daily-counts`,
  );
  return res.status === 200 ? res.body.reduce((n, d) => n + d.count, 0) : -1;
}

describe('the example app and the consumer, each in its own group, on one stream', () => {
  const iso = isolatedEnv('two-groups');
  const dailyGroup = `${iso.prefix}daily-activity-counts`;
  const dailyEnv = { ...iso.env, DAILY_ACTIVITY_GROUP_ID: dailyGroup };
  const running: AppProcess[] = [];
  const start = async (app: AppProcess) => {
    running.push(app);
    return app.start(120_000);
  };

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await withMongo(iso.mongoUri, (c) => c.db().dropDatabase());
    await deleteTopicsWithPrefix(iso.prefix);
  });

  it('ends with exact counts in both after kill -9 of the example mid-stream; a poison record is dead-lettered once per group', async () => {
    const producer = await start(
      new AppProcess('producer-api', await freePort(), iso.env, iso.label),
    );
    await start(new AppProcess('consumer', await freePort(), iso.env, iso.label));
    const daily = await start(
      new AppProcess('daily-activity', await freePort(), dailyEnv, iso.label),
    );

    const events = makeEvents('tg', EVENTS, USERS);
    const sending = publish(producer.url, events, 100, 50);
    await produceRaw(KAFKA_BROKERS, iso.topic, [{ key: 'tg-user-0', value: 'not json at all' }]);
    expect(
      await eventually(async () => (await dailyTotal(daily.url, 'tg-user-1')) > 20, 60_000),
    ).toBe(true);
    await daily.stop('SIGKILL');
    const restarted = await start(
      new AppProcess('daily-activity', daily.port, dailyEnv, `${iso.label}-r`),
    );
    await sending;

    expect(await waitForStored(iso.mongoUri, EVENTS, 180_000)).toBe(EVENTS);
    expect(await duplicatedIds(iso.mongoUri)).toEqual([]);
    const expected = new Map<string, number>();
    for (const e of events) expected.set(e.userId, (expected.get(e.userId) ?? 0) + 1);
    const settled = await eventually(
      async () => {
        for (const [user, n] of expected) {
          if ((await dailyTotal(restarted.url, user)) !== n) return false;
        }
        return true;
      },
      180_000,
      1000,
    );
    const totals = await Promise.all(
      [...expected.keys()].map(async (u) => [u, await dailyTotal(restarted.url, u)]),
    );
    expect(Object.fromEntries(totals)).toEqual(Object.fromEntries(expected));
    expect(settled).toBe(true);
    expect(await countStored(iso.mongoUri)).toBe(EVENTS);

    const dead = await readTopic(KAFKA_BROKERS, iso.dlqTopic, 2, 60_000);
    expect(dead.map((r) => r.headers[DLQ_HEADERS.consumerGroup]).sort()).toEqual(
      [dailyGroup, iso.groupId].sort(),
    );
    expect(dead.every((r) => r.headers[DLQ_HEADERS.errorCode] === 'MALFORMED_MESSAGE')).toBe(true);

    const replay = await kafkaAdminCli(
      ['dlq', 'replay', '--group', dailyGroup, '--dry-run', '--json'],
      { KAFKA_TOPIC_PREFIX: iso.prefix },
    );
    expect(replay.code).toBe(0);
    const plan = JSON.parse(replay.stdout) as { records: { group: string }[] };
    expect(plan.records.map((r) => r.group)).toEqual([dailyGroup]);
  }, 420_000);
});
