import { ESLint } from 'eslint';
import { join } from 'node:path';

// eslint.boundaries.cjs is CommonJS so that this spec (run by jest as CommonJS) can load it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LAYERS, boundaries } = require('../../eslint.boundaries.cjs') as {
  LAYERS: string[];
  boundaries: object[];
};

const ROOT = join(__dirname, '..', '..');

/** Lints one import line as if it were in `file`, with the boundary rules only. */
async function violations(file: string, importLine: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        languageOptions: { parser: require('@typescript-eslint/parser') as never },
      },
      ...(boundaries as never[]),
    ],
  });
  const [result] = await eslint.lintText(`${importLine}\nexport const x = y;\n`, {
    filePath: join(ROOT, file),
  });
  return result.messages.map((m) => m.message);
}

describe('module boundaries (eslint.boundaries.cjs): each rule fails on a violation', () => {
  const upward: [string, string][] = [];
  const downward: [string, string][] = [];
  LAYERS.forEach((lib, i) => {
    for (const higher of LAYERS.slice(i + 1)) upward.push([lib, higher]);
    for (const lower of LAYERS.slice(0, i)) downward.push([lib, lower]);
  });

  it.each(upward)('%s may not import %s (it sits above)', async (lib, higher) => {
    const found = await violations(`libs/${lib}/src/x.ts`, `import { y } from '@app/${higher}';`);
    expect(found.join()).toContain('import downwards only');
  });

  it.each(downward)('%s may import %s (it sits below)', async (lib, lower) => {
    expect(await violations(`libs/${lib}/src/x.ts`, `import { y } from '@app/${lower}';`)).toEqual(
      [],
    );
  });

  it.each([
    [
      'a lib reaching into another lib',
      'libs/ingestion/src/x.ts',
      "import { y } from '@app/platform/http/http-app';",
    ],
    [
      'an app reaching into a lib',
      'apps/consumer/src/x.ts',
      "import { y } from '@app/ingestion/flush/batch-flusher';",
    ],
    [
      'climbing out of a module',
      'apps/consumer/src/a/x.ts',
      "import { y } from '../../../libs/platform/src';",
    ],
    [
      'an app importing another app',
      'apps/consumer/src/x.ts',
      "import { y } from '../../producer-api/src/main';",
    ],
    [
      'a lib importing an app',
      'libs/contracts/src/x.ts',
      "import { y } from '../../../apps/consumer/src/main';",
    ],
    [
      'a script importing app code',
      'scripts/bench/x.ts',
      "import { y } from '../../apps/consumer/src/consumer.module';",
    ],
    [
      'an example importing app code',
      'examples/daily-activity/src/x.ts',
      "import { y } from '../../../apps/consumer/src/main';",
    ],
    ['the SDK importing a lib', 'libs/client-sdk/src/x.ts', "import { y } from '@app/contracts';"],
  ])('rejects %s', async (_what, file, line) => {
    expect(await violations(file, line)).not.toEqual([]);
  });

  it('lets apps, examples and scripts import any lib through its public entry', async () => {
    for (const file of [
      'apps/consumer/src/x.ts',
      'examples/daily-activity/src/x.ts',
      'scripts/x.ts',
    ]) {
      expect(await violations(file, "import { y } from '@app/ingestion';")).toEqual([]);
    }
  });
});
