/**
 * Writes the OpenAPI documents of both apps, built from code alone: each built app is started with
 * `--write-openapi <file>`, writes its document without being initialised (no broker or database)
 * and exits. A clean environment and no env file keep the documents independent of the shell.
 * `npm run openapi` rewrites the checked-in files; scripts/checks/openapi.sh regenerates into a
 * temp folder and fails when they differ.
 *
 * Usage: node dist/scripts/openapi.js [outDir]   (default: docs/openapi)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as prettier from 'prettier';

const ROOT = resolve(__dirname, '..', '..');
const APPS = [
  { app: 'producer-api', file: 'producer-api.json' },
  { app: 'consumer', file: 'consumer.json' },
];

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? join(ROOT, 'docs', 'openapi'));
  const scratch = mkdtempSync(join(tmpdir(), 'eyego-openapi-'));
  const options = (await prettier.resolveConfig(join(ROOT, 'package.json'))) ?? {};
  mkdirSync(outDir, { recursive: true });
  try {
    for (const { app, file } of APPS) {
      const raw = join(scratch, file);
      execFileSync(
        process.execPath,
        [join(ROOT, 'dist', 'apps', app, 'src', 'main.js'), '--write-openapi', raw],
        {
          cwd: scratch,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            NODE_ENV: 'test',
            LOG_LEVEL: 'error',
            ENV_FILE: join(scratch, 'no-such.env'),
            KAFKAJS_NO_PARTITIONER_WARNING: '1',
            NODE_PATH: join(ROOT, 'node_modules'),
          },
        },
      );
      const text = await prettier.format(readFileSync(raw, 'utf8'), { ...options, parser: 'json' });
      writeFileSync(join(outDir, file), text);
      console.log(`wrote ${join(outDir, file)}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
