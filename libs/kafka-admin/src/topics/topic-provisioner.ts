import { Admin, ConfigResourceTypes, ITopicMetadata } from 'kafkajs';
import type { TopicSpec } from '@app/contracts';

export interface ProvisionChange {
  topic: string;
  action: 'created' | 'partitions-increased' | 'replication-increased' | 'config-repaired';
  detail: string;
}

export interface ProvisionReport {
  changes: ProvisionChange[];
  warnings: string[];
}

export interface ProvisionLogger {
  log(message: string): void;
  warn(message: string): void;
}

const TRANSIENT_METADATA =
  /does not host this topic-partition|leader not available|no leader|coordinator is loading/i;

/** Metadata not yet settled after a concurrent create: worth another pass. */
export function isTransientMetadataError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (TRANSIENT_METADATA.test(e.message)) return true;
  }
  return false;
}

/** Kafka's own source code for a dynamic (per-topic) config value. */
const DYNAMIC_TOPIC_CONFIG = 1;

const desiredConfigs = (spec: TopicSpec): Record<string, string> => ({
  'retention.ms': String(spec.retentionMs),
  'cleanup.policy': spec.cleanupPolicy,
  ...(spec.minInsyncReplicas !== undefined
    ? { 'min.insync.replicas': String(spec.minInsyncReplicas) }
    : {}),
});

/**
 * Topics as code: makes the cluster match the specs. Creates missing topics, raises partition
 * counts, never lowers them (Kafka cannot, and it would break key → partition mapping), raises a
 * replication factor below the spec's (a reassignment adding replicas; never lowers one), and
 * restores drifted retention / cleanup policy / min.insync.replicas. Idempotent and safe to run from several processes
 * at once: "already exists" answers from a concurrent run are treated as success.
 */
export class TopicProvisioner {
  constructor(
    private readonly admin: Admin,
    private readonly logger: ProvisionLogger = { log: () => undefined, warn: () => undefined },
  ) {}

  /**
   * Retries the whole (idempotent) pass on transient metadata errors: right after another process
   * created a topic, the broker may briefly answer "does not host this topic-partition".
   */
  async provision(specs: readonly TopicSpec[], attempts = 6): Promise<ProvisionReport> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.provisionOnce(specs);
      } catch (error) {
        if (attempt >= attempts || !isTransientMetadataError(error)) throw error;
        const delayMs = 250 * 2 ** (attempt - 1);
        this.logger.warn(`provisioning topics: ${String(error)}; retrying in ${delayMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private async provisionOnce(specs: readonly TopicSpec[]): Promise<ProvisionReport> {
    const report: ProvisionReport = { changes: [], warnings: [] };
    const existing = new Set(await this.admin.listTopics());
    const present: TopicSpec[] = specs.filter((s) => existing.has(s.name));
    for (const spec of specs.filter((s) => !existing.has(s.name))) {
      // Created by a concurrent provisioner in the meantime: reconcile it like any other.
      if (!(await this.create(spec, report))) present.push(spec);
    }
    if (present.length > 0) {
      const { topics } = await this.admin.fetchTopicMetadata({
        topics: present.map((s) => s.name),
      });
      for (const spec of present) {
        const meta = topics.find((t) => t.name === spec.name);
        if (meta) await this.reconcilePartitions(spec, meta, report);
        if (meta) await this.reconcileReplication(spec, meta, report);
      }
      await this.reconcileConfigs(present, report);
    }
    for (const change of report.changes)
      this.logger.log(`topic ${change.topic}: ${change.action} (${change.detail})`);
    for (const warning of report.warnings) this.logger.warn(warning);
    return report;
  }

  /** Creates one topic; false when it already existed (another process was first). */
  private async create(spec: TopicSpec, report: ProvisionReport): Promise<boolean> {
    let created: boolean;
    try {
      created = await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: Object.entries(desiredConfigs(spec)).map(([name, value]) => ({
              name,
              value,
            })),
          },
        ],
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `creating topic ${spec.name} failed: ${message}` +
          (/replication/i.test(message)
            ? ` (replication factor ${spec.replicationFactor} needs at least that many brokers; set KAFKA_REPLICATION_FACTOR)`
            : ''),
        { cause: error },
      );
    }
    if (created) {
      report.changes.push({
        topic: spec.name,
        action: 'created',
        detail:
          `${spec.partitions} partitions, RF ${spec.replicationFactor}, retention.ms ${spec.retentionMs}, cleanup.policy ${spec.cleanupPolicy}` +
          (spec.minInsyncReplicas !== undefined
            ? `, min.insync.replicas ${spec.minInsyncReplicas}`
            : ''),
      });
    }
    return created;
  }

  private async reconcilePartitions(
    spec: TopicSpec,
    meta: ITopicMetadata,
    report: ProvisionReport,
  ): Promise<void> {
    const current = meta.partitions.length;
    if (current > spec.partitions) {
      report.warnings.push(
        `topic ${spec.name} has ${current} partitions, more than the ${spec.partitions} configured; ` +
          'partitions are never removed (Kafka cannot, and keys would map to other partitions)',
      );
      return;
    }
    if (current === spec.partitions) return;
    try {
      await this.admin.createPartitions({
        topicPartitions: [{ topic: spec.name, count: spec.partitions }],
      });
    } catch (error) {
      // INVALID_PARTITIONS: another process raised it at the same time; check what is there now.
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [spec.name] });
      if ((topics[0]?.partitions.length ?? 0) < spec.partitions) throw error;
      return;
    }
    report.changes.push({
      topic: spec.name,
      action: 'partitions-increased',
      detail: `${current} -> ${spec.partitions}`,
    });
  }

  /**
   * A topic created with fewer replicas than configured (e.g. on one broker, before the cluster
   * grew): every short partition gets replicas on the brokers it lacks, least-loaded first, and the
   * controller copies the data in the background (ISR fills when they catch up). More replicas
   * than configured only warns: dropping copies is an operator's decision.
   */
  private async reconcileReplication(
    spec: TopicSpec,
    meta: ITopicMetadata,
    report: ProvisionReport,
  ): Promise<void> {
    const short = meta.partitions.filter((p) => p.replicas.length < spec.replicationFactor);
    const over = meta.partitions.filter((p) => p.replicas.length > spec.replicationFactor);
    if (over.length > 0) {
      report.warnings.push(
        `topic ${spec.name} has ${over.length} partitions with more than ${spec.replicationFactor} replicas; ` +
          'replicas are never removed by the provisioner',
      );
    }
    if (short.length === 0) return;
    const { brokers } = await this.admin.describeCluster();
    if (brokers.length < spec.replicationFactor) {
      report.warnings.push(
        `topic ${spec.name} has replication factor ${short[0].replicas.length} < ${spec.replicationFactor} configured, ` +
          `but the cluster has ${brokers.length} brokers; not changed`,
      );
      return;
    }
    const load = new Map(brokers.map((b) => [b.nodeId, 0]));
    for (const p of meta.partitions)
      for (const r of p.replicas) load.set(r, (load.get(r) ?? 0) + 1);
    const partitionAssignment = short.map((p) => {
      const replicas = [...p.replicas];
      const candidates = [...load.keys()]
        .filter((id) => !replicas.includes(id))
        .sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || a - b);
      while (replicas.length < spec.replicationFactor) {
        const next = candidates.shift() as number;
        replicas.push(next);
        load.set(next, (load.get(next) ?? 0) + 1);
      }
      return { partition: p.partitionId, replicas };
    });
    await this.admin.alterPartitionReassignments({
      topics: [{ topic: spec.name, partitionAssignment }],
    });
    report.changes.push({
      topic: spec.name,
      action: 'replication-increased',
      detail: `${short.length} partitions ${short[0].replicas.length} -> ${spec.replicationFactor} replicas`,
    });
  }

  private async reconcileConfigs(
    specs: readonly TopicSpec[],
    report: ProvisionReport,
  ): Promise<void> {
    const described = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.name })),
    });
    for (const spec of specs) {
      const resource = described.resources.find((r) => r.resourceName === spec.name);
      if (!resource) continue;
      const current = new Map(resource.configEntries.map((e) => [e.configName, e]));
      const desired = desiredConfigs(spec);
      const drifted = Object.entries(desired).filter(
        ([name, value]) => current.get(name)?.configValue !== value,
      );
      if (drifted.length === 0) continue;
      // AlterConfigs replaces the topic's whole dynamic config: keep the overrides we do not manage.
      const kept = resource.configEntries
        .filter(
          (e) =>
            Number(e.configSource) === DYNAMIC_TOPIC_CONFIG &&
            !(e.configName in desired) &&
            !e.isSensitive,
        )
        .map((e) => ({ name: e.configName, value: e.configValue }));
      await this.admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: spec.name,
            configEntries: [
              ...kept,
              ...Object.entries(desired).map(([name, value]) => ({ name, value })),
            ],
          },
        ],
      });
      for (const [name, value] of drifted) {
        report.changes.push({
          topic: spec.name,
          action: 'config-repaired',
          detail: `${name}: ${current.get(name)?.configValue ?? '(unset)'} -> ${value}`,
        });
      }
    }
  }
}
