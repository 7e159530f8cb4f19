import type { Db } from 'mongodb';

/**
 * "ferretdb x.y", "mongodb x.y" or "unknown" (buildInfo refused): which server a database is on.
 * The consumer logs it at boot and chooses its indexes by it (activity-indexes.ts); the bench's
 * insertMany baseline uses it to create the same indexes.
 */
export async function serverFlavourOf(db: Db): Promise<string> {
  try {
    const info = await db.admin().command({ buildInfo: 1 });
    if (typeof info.ferretdbVersion === 'string') return `ferretdb ${info.ferretdbVersion}`;
    return `mongodb ${String(info.version)}`;
  } catch {
    return 'unknown';
  }
}
