import type { Config } from 'jest';
import base from '../../jest.config';

/**
 * The scale throughput comparison (1 vs 2 APIs, 1 vs 3 consumers on a private 3-node cluster,
 * a few minutes) measures rather than guards, so it is not in `npm test`;
 * `npm run fault-matrix -- --scale` runs it with the e2e project's settings.
 */
const e2e = (base.projects ?? []).find(
  (p): p is Exclude<typeof p, string> => typeof p !== 'string' && p.displayName === 'e2e',
);

const config: Config = {
  ...e2e,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/cluster/*.scale-spec.ts'],
};

export default config;
