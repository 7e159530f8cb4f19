// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

import boundaryRules from './eslint.boundaries.cjs';

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
  ...boundaryRules.boundaries,
  {
    // Tests and scripts talk to the console and to untyped JSON on purpose.
    files: ['test/**/*.ts', 'scripts/**/*.ts', '**/*.spec.ts', '**/cli/**/*.ts', '**/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
);
