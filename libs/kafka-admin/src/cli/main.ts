#!/usr/bin/env node
import { CommandError, UsageError } from './args';
import { CliContext } from './context';
import { DLQ_USAGE, dlqCommand } from './dlq.command';
import { GROUPS_USAGE, groupsCommand } from './groups.command';
import { CliIo, processIo } from './output';
import { TOPICS_USAGE, topicsCommand } from './topics.command';

const USAGE = `Usage (reads the same KAFKA_* environment variables as the apps):
${TOPICS_USAGE}
${GROUPS_USAGE}
${DLQ_USAGE}

Every command prints a readable table; add --json for machine-readable output.
Exit codes: 0 done, 1 the command failed, 2 wrong usage.`;

const COMMANDS = { topics: topicsCommand, groups: groupsCommand, dlq: dlqCommand } as const;

const isCommand = (name: string | undefined): name is keyof typeof COMMANDS =>
  name !== undefined && Object.hasOwn(COMMANDS, name);

/** kafkajs wraps the connection failure in a retries-exceeded error; look through `cause`. */
function isConnectionError(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e.name === 'KafkaJSConnectionError') return true;
  }
  return false;
}

/** Runs one command line; returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIo = processIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || argv.includes('--help')) {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  if (!isCommand(name)) {
    io.err(`kafka-admin: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  let ctx: CliContext | undefined;
  try {
    ctx = CliContext.fromEnv(env, io);
    await COMMANDS[name](ctx, rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`kafka-admin: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof CommandError ? '' : 'failed: ';
    const hint =
      ctx && isConnectionError(error)
        ? ` (is a broker reachable at ${ctx.settings.connection.brokers.join(',')}? see KAFKA_BROKERS)`
        : '';
    io.err(`kafka-admin ${name}: ${kind}${message}${hint}`);
    return 1;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
