import type { Config } from 'jest';

// Every test sees UTC, whatever the machine's zone.
process.env.TZ = 'UTC';

const moduleNameMapper = {
  '^@app/contracts$': '<rootDir>/libs/contracts/src',
  '^@app/kafka-admin$': '<rootDir>/libs/kafka-admin/src',
  '^@app/platform$': '<rootDir>/libs/platform/src',
  '^@app/ingestion$': '<rootDir>/libs/ingestion/src',
  '^@app/activity-store$': '<rootDir>/libs/activity-store/src',
  '^@app/client-sdk$': '<rootDir>/libs/client-sdk/src',
};
// Type checking is done once by `npm run typecheck`; jest only transpiles.
const transform = {
  // isolatedModules (in tsconfig.jest.json): transpile only, no per-file type check.
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] as [string, Record<string, unknown>],
};

const config: Config = {
  projects: [
    {
      displayName: 'unit',
      rootDir: '.',
      testEnvironment: 'node',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/examples/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
      ],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'e2e',
      rootDir: '.',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-setup.ts'],
    },
  ],
};

export default config;
