import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, infra } from './infra';

/** e2e tests run the built apps as real processes against the real broker and database. */
export default function globalSetup(): void {
  if (process.env.E2E_SKIP_INFRA !== '1') {
    process.stderr.write('\n[e2e] starting Kafka and FerretDB if needed\n');
    infra('up');
  }
  if (
    !existsSync(
      join(
        process.env.E2E_DIST_DIR ?? join(REPO_ROOT, 'dist'),
        'apps',
        'consumer',
        'src',
        'main.js',
      ),
    )
  ) {
    process.stderr.write('[e2e] building the apps\n');
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
}
