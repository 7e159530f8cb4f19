import type { Config } from 'jest';
import base from '../../jest.config';

/**
 * The disaster-recovery test (two clusters, MirrorMaker 2, ~5 minutes and a one-time Maven
 * download) is not in `npm test`; `npm run fault-matrix -- --dr` runs it with the e2e project's
 * settings.
 */
const e2e = (base.projects ?? []).find(
  (p): p is Exclude<typeof p, string> => typeof p !== 'string' && p.displayName === 'e2e',
);

const config: Config = {
  ...e2e,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/cluster/*.dr-spec.ts'],
};

export default config;
