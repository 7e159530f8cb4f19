import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './app-process';
import { REPO_ROOT } from './infra';

const run = promisify(execFile);

/**
 * A Kafka broker and a FerretDB of a test's own (own ports, own data, the shared install cache).
 * Tests that stop, kill or restart infrastructure use one, so they never disturb other suites.
 */
export interface SaslSslListener {
  /** PKCS12 keystore with the broker's key and certificate (scripts/infra/make-test-certs.sh). */
  keystoreFile: string;
  keystorePassword: string;
  port: number;
}

export class PrivateInfra {
  private constructor(
    readonly label: string,
    readonly kafkaPort: number,
    readonly controllerPort: number,
    readonly mongoPort: number,
    readonly debugPort: number,
    readonly saslSsl?: SaslSslListener,
  ) {}

  static async create(
    label: string,
    options: { saslSsl?: Omit<SaslSslListener, 'port'> } = {},
  ): Promise<PrivateInfra> {
    const saslSsl = options.saslSsl ? { ...options.saslSsl, port: await freePort() } : undefined;
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()] as const;
    return new PrivateInfra(label, ...ports, saslSsl);
  }

  get brokers(): string {
    return `127.0.0.1:${this.kafkaPort}`;
  }

  mongoUri(db: string): string {
    return `mongodb://127.0.0.1:${this.mongoPort}/${db}`;
  }

  /** Environment for the infra scripts: same cache, private run/data folders and ports. */
  get scriptEnv(): Record<string, string> {
    const base = join(REPO_ROOT, '.infra', 'private', this.label);
    return {
      INFRA_RUN: join(base, 'run'),
      INFRA_DATA: join(base, 'data'),
      KAFKA_PORT: String(this.kafkaPort),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      MONGO_PORT: String(this.mongoPort),
      FERRETDB_DEBUG_PORT: String(this.debugPort),
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
      ...(this.saslSsl
        ? {
            KAFKA_SASL_SSL_PORT: String(this.saslSsl.port),
            KAFKA_SSL_KEYSTORE_FILE: this.saslSsl.keystoreFile,
            KAFKA_SSL_KEYSTORE_PASSWORD: this.saslSsl.keystorePassword,
          }
        : {}),
    };
  }

  /** Env for the apps to use this infra instead of the shared one. */
  appEnv(db: string): Record<string, string> {
    return { KAFKA_BROKERS: this.brokers, MONGODB_URI: this.mongoUri(db) };
  }

  /** Runs one of scripts/infra/*.sh against this instance. */
  async script(name: string, ...args: string[]): Promise<void> {
    await run('bash', [join(REPO_ROOT, 'scripts', 'infra', `${name}.sh`), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.scriptEnv },
    });
  }

  start(what: 'kafka' | 'ferretdb' | 'all' = 'all'): Promise<void> {
    return this.script('up', what);
  }

  /** SIGTERM by default; `kill` sends SIGKILL (a crash). */
  stop(what: 'kafka' | 'ferretdb' | 'all' = 'all', kill = false): Promise<void> {
    return this.script('down', what, ...(kill ? ['--kill'] : []));
  }

  /** Stops everything and deletes the data. */
  destroy(): Promise<void> {
    return this.script('down', 'all', '--kill', '--wipe');
  }
}
