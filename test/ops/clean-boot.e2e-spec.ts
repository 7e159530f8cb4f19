import { readFileSync } from 'node:fs';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { getJson, postJson } from '../support/http';
import { isolatedEnv } from '../support/isolation';
import { deleteTopicsWithPrefix } from '../kafka-admin/kafka-admin.support';

/** Lines an operator's "errors in the log" alert or a newcomer would read as "broken". */
function alarming(log: string): string[] {
  return log.split('\n').filter(
    (line) =>
      /"level":"(error|fatal)"/.test(line) ||
      /EoS guarantees/.test(line) ||
      /Warning:|FSTWRN|DeprecationWarning/.test(line) ||
      // The producer-api replaces kafkajs's quadratic grouping before kafkajs loads.
      /quadratic/.test(line),
  );
}

describe('a healthy first boot logs no errors', () => {
  const iso = isolatedEnv('clean-boot');
  const apps: AppProcess[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await deleteTopicsWithPrefix(iso.prefix);
  });

  it('boots both apps at once on topics that do not exist yet, serves an event, and writes no error or warning line', async () => {
    const producer = new AppProcess('producer-api', await freePort(), iso.env, iso.label);
    const consumer = new AppProcess('consumer', await freePort(), iso.env, iso.label);
    apps.push(producer, consumer);
    // Together, as `npm run dev` starts them: both provision the same topics at the same time.
    await Promise.all([producer.start(), consumer.start()]);
    const sent = await postJson<{ eventId: string }>(`${producer.url}/v1/activities`, {
      userId: 'boot-user',
      activityType: 'login',
    });
    expect(sent.status).toBe(202);
    expect(
      await eventually(
        async () =>
          (await getJson(`${consumer.url}/v1/activities/${sent.body.eventId}`)).status === 200,
        30_000,
      ),
    ).toBe(true);
    await Promise.all(apps.map((a) => a.stop()));
    for (const app of apps) {
      expect({ app: app.name, lines: alarming(readFileSync(app.logFile, 'utf8')) }).toEqual({
        app: app.name,
        lines: [],
      });
    }
  });
});
