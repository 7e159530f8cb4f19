import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
  seconds: number;
  output: string;
}

const SCRIPT = join(REPO_ROOT, 'scripts', 'fuzz', 'schemathesis.sh');

/** Installs schemathesis into its cached venv (a no-op once done); fails with pip's output. */
export async function installSchemathesis(): Promise<void> {
  const script = join(REPO_ROOT, 'scripts', 'fuzz', 'install-schemathesis.sh');
  const { code, output } = await run('bash', [script], {});
  if (code !== 0) throw new Error(`${script} failed (exit ${code}):\n${output}`);
}

/** Runs scripts/fuzz/schemathesis.sh against one app and reads its summary and JUnit report. */
export async function fuzz(
  baseUrl: string,
  reportDir: string,
  env: Record<string, string> = {},
): Promise<FuzzRun> {
  const started = Date.now();
  const { code, output } = await run('bash', [SCRIPT, baseUrl, reportDir], env);
  const seconds = (Date.now() - started) / 1000;
  const number = (re: RegExp): number => Number(re.exec(output)?.[1] ?? NaN);
  const report = join(reportDir, 'junit.xml');
  if (!existsSync(report))
    throw new Error(`schemathesis wrote no report (exit ${code}):\n${output}`);
  const junit = readFileSync(report, 'utf8');
  const attr = (name: string): number =>
    Number(new RegExp(`<testsuites[^>]* ${name}="(\\d+)"`).exec(junit)?.[1] ?? NaN);
  return {
    exitCode: code,
    seconds,
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
