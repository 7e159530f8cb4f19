import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { DIST_DIR } from '../support/app-process';
import { KAFKA_BROKERS, REPO_ROOT } from '../support/infra';

const run = promisify(execFile);

export const kafka = (clientId = 'e2e-kafka-admin'): Kafka =>
  new Kafka({ clientId, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every topic whose name starts with `prefix` (each suite's own, never shared ones). */
export async function deleteTopicsWithPrefix(prefix: string): Promise<void> {
  if (!prefix.startsWith('e2e.'))
    throw new Error(`refusing to delete topics outside e2e.*: ${prefix}`);
  await withAdmin(async (admin) => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built kafka-admin CLI as a user would, with the given environment. */
export async function kafkaAdminCli(
  args: string[],
  env: Record<string, string>,
): Promise<CliResult> {
  const main = join(DIST_DIR, 'libs', 'kafka-admin', 'src', 'cli', 'main.js');
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, KAFKA_BROKERS, ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

/** Parses the CLI's --json output, failing with its stderr when it did not succeed. */
export async function kafkaAdminJson<T>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await kafkaAdminCli([...args, '--json'], env);
  if (result.code !== 0)
    throw new Error(`kafka-admin ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Runs one of Kafka's own tools through scripts/kafka-tools.sh against the shared broker. */
export async function kafkaTool(tool: 'topics' | 'groups', ...args: string[]): Promise<string> {
  const { stdout } = await run(
    'bash',
    [
      join(REPO_ROOT, 'scripts', 'kafka-tools.sh'),
      tool,
      ...args,
      '--bootstrap-server',
      KAFKA_BROKERS.split(',')[0],
    ],
    {
      cwd: REPO_ROOT,
    },
  );
  return stdout;
}
