import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './infra';

const run = promisify(execFile);

const KAFKA_VERSION = '4.1.2';

/** Where scripts/infra/install.sh puts the connect-mirror jars (KAFKA_MIRROR_HOME overrides). */
export const MIRROR_HOME =
  process.env.KAFKA_MIRROR_HOME ??
  join(REPO_ROOT, '.infra', 'cache', `kafka-mirror-${KAFKA_VERSION}`);

/** Installs the MirrorMaker 2 jars when they are missing (a one-time Maven download). */
export async function installMirrorMaker(): Promise<void> {
  if (existsSync(join(MIRROR_HOME, 'libs', `connect-mirror-${KAFKA_VERSION}.jar`))) return;
  await run('bash', [join(REPO_ROOT, 'scripts', 'infra', 'install.sh', 'mirror')], {
    cwd: REPO_ROOT,
    env: { ...process.env, INFRA_CACHE: join(MIRROR_HOME, '..') },
  });
}

export interface MirrorOptions {
  label: string;
  source: string;
  target: string;
  /** Regular expressions of the topics and consumer groups to mirror. */
  topics: string;
  groups: string;
}

/**
 * MirrorMaker 2 in dedicated mode, one direction (A -> B), as the README's DR runbook runs it:
 * topic names kept (IdentityReplicationPolicy), so the apps fail over by changing KAFKA_BROKERS
 * only; checkpoints and group offset sync every second, so the consumer group's committed offsets
 * are on B, translated, when it starts there.
 */
export class MirrorMaker {
  private child?: ChildProcess;
  /** Set on exit (a signalled exit leaves exitCode null, so that cannot tell). */
  private exited?: Promise<void>;
  readonly dir: string;
  readonly logFile: string;

  constructor(private readonly options: MirrorOptions) {
    this.dir = join(REPO_ROOT, '.infra', 'private', options.label, 'mm2');
    this.logFile = join(this.dir, 'mm2.log');
  }

  properties(): string {
    const { source, target, topics, groups } = this.options;
    return [
      'clusters=A,B',
      `A.bootstrap.servers=${source}`,
      `B.bootstrap.servers=${target}`,
      'A->B.enabled=true',
      'B->A.enabled=false',
      `A->B.topics=${topics}`,
      `A->B.groups=${groups}`,
      'replication.policy.class=org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      // Single-broker DR pair: every internal topic with one replica.
      'replication.factor=1',
      'checkpoints.topic.replication.factor=1',
      'heartbeats.topic.replication.factor=1',
      'offset-syncs.topic.replication.factor=1',
      'offset.storage.replication.factor=1',
      'status.storage.replication.factor=1',
      'config.storage.replication.factor=1',
      'tasks.max=1',
      // Fine offset translation and group offsets written on B every second (defaults 100 records
      // and 60 s): the consumer re-reads little after a failover.
      'offset.lag.max=0',
      'emit.checkpoints.interval.seconds=1',
      'sync.group.offsets.enabled=true',
      'sync.group.offsets.interval.seconds=1',
      'refresh.topics.interval.seconds=2',
      'refresh.groups.interval.seconds=2',
      'sync.topic.acls.enabled=false',
      'emit.heartbeats.interval.seconds=1',
      // The apps read committed records only; mirror those (and from the start of each topic).
      'A.consumer.isolation.level=read_committed',
      'A.consumer.auto.offset.reset=earliest',
      'B.producer.acks=all',
      'dedicated.mode.enable.internal.rest=false',
      '',
    ].join('\n');
  }

  start(): void {
    mkdirSync(this.dir, { recursive: true });
    const props = join(this.dir, 'mm2.properties');
    const log4j = join(this.dir, 'log4j2.properties');
    writeFileSync(props, this.properties());
    writeFileSync(
      log4j,
      [
        'rootLogger.level=INFO',
        'rootLogger.appenderRef.stdout.ref=STDOUT',
        'appender.stdout.type=Console',
        'appender.stdout.name=STDOUT',
        'appender.stdout.layout.type=PatternLayout',
        'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
        'logger.clients.name=org.apache.kafka.clients',
        'logger.clients.level=WARN',
        '',
      ].join('\n'),
    );
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = spawn(
      'java',
      [
        '-Xms64m',
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        `-Dlog4j2.configurationFile=${log4j}`,
        '-cp',
        `${join(MIRROR_HOME, 'libs')}/*`,
        'org.apache.kafka.connect.mirror.MirrorMaker',
        props,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const child = this.child;
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}
