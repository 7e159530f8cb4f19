import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const KAFKA_BROKERS =
  process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
export const MONGO_BASE_URI = `mongodb://127.0.0.1:${process.env.MONGO_PORT ?? '27017'}`;

/** Runs one of the project's infra scripts (up/down/status), as a user would. */
export function infra(command: 'up' | 'down' | 'status', ...args: string[]): string {
  return execFileSync('bash', [join(REPO_ROOT, 'scripts', 'infra', `${command}.sh`), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
