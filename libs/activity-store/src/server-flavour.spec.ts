import type { Db } from 'mongodb';
import { INDEX_PUSHDOWN_SUFFIX, serverFlavourOf } from './server-flavour';

const dbAnswering = (answer: () => Promise<Record<string, unknown>>) =>
  ({ admin: () => ({ command: answer }) }) as unknown as Db;

describe('serverFlavourOf', () => {
  it('names MongoDB by its version', async () => {
    await expect(serverFlavourOf(dbAnswering(async () => ({ version: '8.0.4' })))).resolves.toBe(
      'mongodb 8.0.4',
    );
  });

  it('tells the patched FerretDB (index pushdown) from the stock build', async () => {
    const stock = dbAnswering(async () => ({
      version: '7.0.77',
      ferretdbVersion: 'v1.24.2',
      ferretdbFeatures: { aggregationStages: [] },
    }));
    const patched = dbAnswering(async () => ({
      version: '7.0.77',
      ferretdbVersion: 'v1.24.2',
      ferretdbFeatures: { aggregationStages: [], sqliteIndexPushdown: true },
    }));
    await expect(serverFlavourOf(stock)).resolves.toBe('ferretdb v1.24.2');
    await expect(serverFlavourOf(patched)).resolves.toBe(
      `ferretdb v1.24.2${INDEX_PUSHDOWN_SUFFIX}`,
    );
  });

  it('is unknown when buildInfo is refused', async () => {
    await expect(
      serverFlavourOf(dbAnswering(() => Promise.reject(new Error('unauthorized')))),
    ).resolves.toBe('unknown');
  });
});
