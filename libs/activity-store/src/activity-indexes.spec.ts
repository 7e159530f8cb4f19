import { DEDUP_INDEX, READ_INDEXES, activityIndexes, wantReadIndexes } from './activity-indexes';
import { INDEX_PUSHDOWN_SUFFIX } from './server-flavour';

describe('activity indexes', () => {
  it('auto creates the read indexes on MongoDB and on servers it cannot name', () => {
    expect(wantReadIndexes('auto', 'mongodb 7.0.14')).toBe(true);
    expect(wantReadIndexes('auto', 'unknown')).toBe(true);
  });

  it('auto skips them on stock FerretDB, where its SQLite handler scans regardless', () => {
    expect(wantReadIndexes('auto', 'ferretdb 1.24.2')).toBe(false);
  });

  it('auto creates them on the FerretDB build that seeks indexes (install.sh patch)', () => {
    expect(wantReadIndexes('auto', `ferretdb v1.24.2${INDEX_PUSHDOWN_SUFFIX}`)).toBe(true);
    expect(activityIndexes('auto', 'ferretdb v1.24.2 +index-pushdown')).toEqual([
      DEDUP_INDEX,
      ...READ_INDEXES,
    ]);
  });

  it('always and never override the detection', () => {
    expect(wantReadIndexes('always', 'ferretdb 1.24.2')).toBe(true);
    expect(wantReadIndexes('never', 'mongodb 7.0.14')).toBe(false);
  });

  it('keeps the unique eventId index whatever the mode', () => {
    expect(activityIndexes('never', 'mongodb 7.0.14')).toEqual([DEDUP_INDEX]);
    expect(activityIndexes('auto', 'mongodb 7.0.14')).toEqual([DEDUP_INDEX, ...READ_INDEXES]);
    expect(DEDUP_INDEX).toMatchObject({ key: { eventId: 1 }, unique: true });
  });
});
