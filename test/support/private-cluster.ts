import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { createServer } from 'node:net';
import { eventually } from './app-process';
import { REPO_ROOT } from './infra';

const run = promisify(execFile);

export type NodeAction = 'start' | 'stop' | 'kill' | 'restart' | 'pause' | 'resume';

/**
 * A 3-node KRaft cluster (scripts/infra/cluster.sh) and a FerretDB of a test's own: own ports,
 * own run/data folders, the shared install cache. The counterpart of PrivateInfra for tests that
 * kill, restart or add to brokers of a replicated cluster.
 */
export class PrivateCluster {
  private constructor(
    readonly label: string,
    readonly kafkaPorts: number[],
    readonly controllerPorts: number[],
    readonly mongoPort: number,
    readonly debugPort: number,
  ) {}

  /**
   * CLUSTER_TEST_PORT_BASE: ports base, base+1, ... (a developer's own range); otherwise free
   * ports picked below Linux's ephemeral range (32768+): a port there can be taken by any outbound
   * connection before the node binds it, and a controller that reaches a foreign service there
   * reads its bytes as a frame size and dies of OutOfMemoryError.
   */
  static async create(label: string, size = 3): Promise<PrivateCluster> {
    const base = Number(process.env.CLUSTER_TEST_PORT_BASE ?? 0);
    const ports: number[] = [];
    while (ports.length < 2 * size + 2) {
      const port = base > 0 ? base + ports.length : 20_000 + Math.floor(Math.random() * 7000);
      if (!ports.includes(port) && (await canBind(port))) ports.push(port);
      else if (base > 0) throw new Error(`CLUSTER_TEST_PORT_BASE: port ${port} is in use`);
    }
    return new PrivateCluster(
      label,
      ports.slice(0, size),
      ports.slice(size, 2 * size),
      ports[2 * size],
      ports[2 * size + 1],
    );
  }

  get size(): number {
    return this.kafkaPorts.length;
  }

  /** The bootstrap list, as KAFKA_BROKERS takes it. */
  get brokers(): string {
    return this.kafkaPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  mongoUri(db: string): string {
    return `mongodb://127.0.0.1:${this.mongoPort}/${db}`;
  }

  get scriptEnv(): Record<string, string> {
    const base = join(REPO_ROOT, '.infra', 'private', this.label);
    return {
      INFRA_RUN: join(base, 'run'),
      INFRA_DATA: join(base, 'data'),
      KAFKA_PORT: String(this.kafkaPorts[0]),
      KAFKA_CONTROLLER_PORT: String(this.controllerPorts[0]),
      KAFKA_NODE_PORTS: this.kafkaPorts.join(','),
      KAFKA_NODE_CONTROLLER_PORTS: this.controllerPorts.join(','),
      MONGO_PORT: String(this.mongoPort),
      FERRETDB_DEBUG_PORT: String(this.debugPort),
      // Three JVMs starting at once on a 2-core machine shared with other suites.
      KAFKA_CLUSTER_JVM_OPTS: '-XX:+UseSerialGC -XX:TieredStopAtLevel=1',
      INFRA_START_TIMEOUT: '240',
    };
  }

  /** Env for the apps: every broker, and replication factor 3 (min.insync.replicas 2). */
  appEnv(db: string): Record<string, string> {
    return {
      KAFKA_BROKERS: this.brokers,
      KAFKA_REPLICATION_FACTOR: String(Math.min(3, this.size)),
      MONGODB_URI: this.mongoUri(db),
    };
  }

  private async script(name: string, ...args: string[]): Promise<string> {
    const { stdout } = await run(
      'bash',
      [join(REPO_ROOT, 'scripts', 'infra', `${name}.sh`), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...this.scriptEnv } },
    );
    return stdout;
  }

  /** FerretDB and every node; resolves when all answer. */
  async start(): Promise<void> {
    await this.script('up', 'all', '--brokers', String(this.size));
  }

  /** One node, by id (1..size); `restart` and `start` resolve when the node is up again. */
  async node(action: NodeAction, id: number): Promise<void> {
    await this.script('cluster', 'node', action, String(id));
  }

  /** The active controller's node id (the quorum leader). */
  async controller(): Promise<number> {
    return Number((await this.script('cluster', 'controller')).trim());
  }

  kafka(clientId = 'e2e-cluster'): Kafka {
    return new Kafka({ clientId, brokers: this.brokers.split(','), logLevel: logLevel.NOTHING });
  }

  async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka().admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The node id leading a partition of a topic. */
  leaderOf(topic: string, partition: number): Promise<number> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const meta = topics[0]?.partitions.find((p) => p.partitionId === partition);
      if (!meta || meta.leader < 0) throw new Error(`${topic}[${partition}] has no leader`);
      return meta.leader;
    });
  }

  /** Partitions (of every topic) whose ISR is smaller than their replica set. */
  underReplicated(): Promise<number> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: await admin.listTopics() });
      return topics
        .flatMap((t) => t.partitions)
        .filter((p) => p.isr.length < p.replicas.length || p.leader < 0).length;
    });
  }

  /** Waits until every partition of every topic has its full ISR again; returns the ms it took. */
  async waitFullIsr(timeoutMs = 120_000): Promise<number> {
    const started = Date.now();
    const full = await eventually(async () => (await this.underReplicated()) === 0, timeoutMs, 500);
    if (!full) throw new Error(`ISR not full again within ${timeoutMs} ms`);
    return Date.now() - started;
  }

  /** Stops everything (SIGKILL) and deletes the data. */
  async destroy(): Promise<void> {
    await this.script('down', 'all', '--kill', '--wipe');
  }
}

const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
