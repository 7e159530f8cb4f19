import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `x-api-key` values. Comparing fixed-length digests with timingSafeEqual, and always
 * against every key, keeps the time independent of how much of a key a caller guessed.
 */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** The index of the matching key (a stable, non-secret identity), or -1. */
  match(presented: unknown): number {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > 1024) {
      return -1;
    }
    const given = digest(presented);
    let found = -1;
    this.digests.forEach((d, i) => {
      if (timingSafeEqual(d, given) && found < 0) found = i;
    });
    return found;
  }
}

/** Paths every caller may reach without a key or a rate limit: probes, metrics and the docs. */
export function isOpenPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return (
    path === '/health' ||
    path.startsWith('/health/') ||
    path === '/metrics' ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path.startsWith('/docs-')
  );
}
