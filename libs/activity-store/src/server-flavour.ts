import type { Db } from 'mongodb';

/** Appended to a FerretDB flavour whose SQLite backend seeks indexes (see INDEX_PUSHDOWN_FEATURE). */
export const INDEX_PUSHDOWN_SUFFIX = ' +index-pushdown';

/**
 * The buildInfo feature flag of the FerretDB build scripts/infra/install.sh patches
 * (ferretdb-index-pushdown.patch): its SQLite backend turns indexed filters and sorts into SQL
 * that seeks the indexes. Stock FerretDB 1.24 reads and sorts the whole table instead.
 */
export const INDEX_PUSHDOWN_FEATURE = 'sqliteIndexPushdown';

/**
 * "ferretdb x.y", "ferretdb x.y +index-pushdown", "mongodb x.y" or "unknown" (buildInfo refused):
 * which server a database is on. The consumer logs it at boot and chooses its indexes by it
 * (activity-indexes.ts); the bench's insertMany baseline uses it to create the same indexes.
 */
export async function serverFlavourOf(db: Db): Promise<string> {
  try {
    const info = await db.admin().command({ buildInfo: 1 });
    if (typeof info.ferretdbVersion === 'string') {
      const features: unknown = info.ferretdbFeatures;
      const pushdown =
        typeof features === 'object' &&
        features !== null &&
        (features as Record<string, unknown>)[INDEX_PUSHDOWN_FEATURE] === true;
      return `ferretdb ${info.ferretdbVersion}${pushdown ? INDEX_PUSHDOWN_SUFFIX : ''}`;
    }
    return `mongodb ${String(info.version)}`;
  } catch {
    return 'unknown';
  }
}
