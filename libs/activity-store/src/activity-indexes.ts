import type { IndexSpecification } from 'mongodb';
import { INDEX_PUSHDOWN_SUFFIX } from './server-flavour';

/** MONGODB_READ_INDEXES: whether the indexes that only serve the read API are created. */
export const READ_INDEX_MODES = ['auto', 'always', 'never'] as const;
export type ReadIndexMode = (typeof READ_INDEX_MODES)[number];

export const EVENT_ID_INDEX = 'eventId_unique';

export interface IndexDefinition {
  key: IndexSpecification & Record<string, 1 | -1>;
  name: string;
  unique?: boolean;
}

/** The dedup contract: always created, and the app does not start without it. */
export const DEDUP_INDEX: IndexDefinition = {
  key: { eventId: 1 },
  name: EVENT_ID_INDEX,
  unique: true,
};

/** One per read-API filter, each ending in the (timestamp, eventId) order of its cursor. */
export const READ_INDEXES: readonly IndexDefinition[] = [
  { key: { userId: 1, timestamp: -1, eventId: -1 }, name: 'userId_timestamp' },
  { key: { activityType: 1, timestamp: -1, eventId: -1 }, name: 'activityType_timestamp' },
  { key: { timestamp: -1, eventId: -1 }, name: 'timestamp' },
];

/**
 * Whether to create the read indexes on a server (`serverFlavour`: "mongodb 7.0.x", "ferretdb
 * v1.24.2", "ferretdb v1.24.2 +index-pushdown", "unknown"). Stock FerretDB's SQLite handler plans
 * the read API's filtered, sorted finds as table scans whether these indexes exist or not, while
 * every index slows inserts down (FerretDB 1.24.2, 20,000 documents: a filtered find 1,149 ms with
 * the indexes, 1,089 ms without; insertMany 4,450 docs/s with the three, 6,370 without). The build
 * scripts/infra/install.sh patches seeks them instead (README "Read API at scale"). So `auto`
 * creates them everywhere except on a FerretDB without that patch; `always` and `never` override.
 */
export function wantReadIndexes(mode: ReadIndexMode, serverFlavour: string): boolean {
  if (mode !== 'auto') return mode === 'always';
  return !serverFlavour.startsWith('ferretdb') || serverFlavour.endsWith(INDEX_PUSHDOWN_SUFFIX);
}

/** The indexes the consumer keeps on its collection on that server, dedup index first. */
export function activityIndexes(mode: ReadIndexMode, serverFlavour: string): IndexDefinition[] {
  return [DEDUP_INDEX, ...(wantReadIndexes(mode, serverFlavour) ? READ_INDEXES : [])];
}
