import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/infra';

export interface FuzzRun {
  exitCode: number;
  /** API operations schemathesis tested. */
  operations: number;
  /** Test cases (requests) it generated and sent. */
  cases: number;
  /** Failed or errored operations, from its JUnit report. */
  failures: number;
  output: string;
}

const SCRIPT = join(REPO_ROOT, 'scripts', 'fuzz', 'schemathesis.sh');

/** Installs schemathesis into its cached venv (a no-op once done). */
export function installSchemathesis(): Promise<string> {
  return run('bash', [join(REPO_ROOT, 'scripts', 'fuzz', 'install-schemathesis.sh')], {}).then(
    ({ output }) => output.trim().split('\n').pop() ?? '',
  );
}

/** Runs scripts/fuzz/schemathesis.sh against one app and reads its summary and JUnit report. */
export async function fuzz(
  baseUrl: string,
  reportDir: string,
  env: Record<string, string> = {},
): Promise<FuzzRun> {
  const { code, output } = await run('bash', [SCRIPT, baseUrl, reportDir], env);
  const number = (re: RegExp): number => Number(re.exec(output)?.[1] ?? NaN);
  const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
  const attr = (name: string): number =>
    Number(new RegExp(`<testsuites[^>]* ${name}="(\\d+)"`).exec(junit)?.[1] ?? NaN);
  return {
    exitCode: code,
    operations: number(/^\s*Tested:\s+(\d+)/m),
    cases: number(/^\s*(\d+) generated\b/m),
    failures: attr('failures') + attr('errors'),
    output,
  };
}

function run(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}
