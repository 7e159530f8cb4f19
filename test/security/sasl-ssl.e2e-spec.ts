import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, eventually, freePort } from '../support/app-process';
import { postJson } from '../support/http';
import { REPO_ROOT } from '../support/infra';
import { isolatedEnv, withMongo } from '../support/isolation';
import { PrivateInfra } from '../support/private-infra';

const KEYSTORE_PASSWORD = 'test-keystore-pass';
const USER = 'eyego-app';
const PASSWORD = 'correct-horse-battery-staple';

/**
 * The production path of the spec ("TLS and SASL (SCRAM)"): a broker with a SASL_SSL listener,
 * a throw-away CA, a SCRAM-SHA-512 user made with Kafka's own ConfigCommand, and both apps
 * configured only through environment variables.
 */
describe('Kafka over SASL_SSL (SCRAM-SHA-512 + TLS)', () => {
  const iso = isolatedEnv('sasl');
  const certs = mkdtempSync(join(tmpdir(), 'eyego-certs-'));
  let infra: PrivateInfra;
  const apps: AppProcess[] = [];

  const secureEnv = (password: string): Record<string, string> => ({
    ...iso.env,
    ...infra.appEnv(iso.dbName),
    KAFKA_BROKERS: `127.0.0.1:${infra.saslSsl?.port ?? 0}`,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: join(certs, 'ca.pem'),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: password,
  });

  beforeAll(async () => {
    execFileSync('bash', [
      join(REPO_ROOT, 'scripts/infra/make-test-certs.sh'),
      certs,
      KEYSTORE_PASSWORD,
    ]);
    infra = await PrivateInfra.create(iso.label, {
      saslSsl: { keystoreFile: join(certs, 'broker.p12'), keystorePassword: KEYSTORE_PASSWORD },
    });
    await infra.start();
    await infra.script('kafka-scram-user', USER, PASSWORD);
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await infra?.destroy();
    rmSync(certs, { recursive: true, force: true });
  });

  it('carries an event from the API through Kafka into the database over TLS with SCRAM auth', async () => {
    const producer = new AppProcess(
      'producer-api',
      await freePort(),
      secureEnv(PASSWORD),
      iso.label,
    );
    const consumer = new AppProcess('consumer', await freePort(), secureEnv(PASSWORD), iso.label);
    apps.push(producer, consumer);
    await Promise.all([producer.start(), consumer.start()]);

    const res = await postJson<{ eventId: string }>(`${producer.url}/v1/activities`, {
      userId: 'secure-user',
      activityType: 'login',
    });
    expect(res.status).toBe(202);

    const stored = await withMongo(infra.mongoUri(iso.dbName), (client) =>
      eventually(
        async () =>
          (await client
            .db()
            .collection('activities')
            .countDocuments({ eventId: res.body.eventId })) === 1,
        30_000,
      ),
    );
    expect(stored).toBe(true);
  });

  it.each(['producer-api', 'consumer'] as const)(
    '%s refuses to run with a wrong password, naming the variables to check',
    async (app) => {
      const process = new AppProcess(
        app,
        await freePort(),
        secureEnv('wrong-password'),
        `${iso.label}-bad`,
      );
      apps.push(process);
      const { code, log } = await process.startExpectingExit(90_000);
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(log).toMatch(/SASL SCRAM SHA512 authentication failed/);
      expect(log).toMatch(
        /check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
      );
    },
  );
});
