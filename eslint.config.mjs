// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Module boundaries (CONVENTIONS.md, habit 2): libs are reached only through their public entry,
// apps never import each other, libs never import apps, and nothing climbs two folders up.
const sharedRestrictions = [
  { group: ['@app/*/*'], message: 'Import a lib only through its public entry (@app/<lib>).' },
  { group: ['../../*'], message: 'No parent-relative imports across modules; use @app/<lib>.' },
  { group: ['**/libs/*', '**/libs/**'], message: 'Import libs through @app/<lib>.' },
];

const boundary = (files, extra) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [...sharedRestrictions, ...extra] }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.infra/**', 'coverage/**', 'bench-results/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
    },
  },
  boundary(
    ['apps/producer-api/**/*.ts'],
    [{ group: ['**/consumer/**', '**/apps/**'], message: 'Apps never import each other.' }],
  ),
  boundary(
    ['apps/consumer/**/*.ts'],
    [{ group: ['**/producer-api/**', '**/apps/**'], message: 'Apps never import each other.' }],
  ),
  boundary(
    ['libs/**/*.ts'],
    [
      {
        group: ['**/apps/**', '**/producer-api/**', '**/consumer/**'],
        message: 'Libs never import apps.',
      },
    ],
  ),
  {
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...sharedRestrictions,
            {
              group: ['@app/kafka-admin', '**/apps/**'],
              message: 'contracts depends on nothing in this repo.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and scripts talk to the console and to untyped JSON on purpose.
    files: ['test/**/*.ts', 'scripts/**/*.ts', '**/*.spec.ts', '**/cli/**/*.ts', '**/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
