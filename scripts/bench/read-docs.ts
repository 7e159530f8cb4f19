import { createHash } from 'node:crypto';

/**
 * The stored documents and the list queries of the read bench (read-api.ts). Deterministic, so a
 * kept database is the same one on the next run: `users` users with about 100 events each, eight
 * activity types, timestamps spread evenly over 30 days, eventIds in random order (a hash).
 */
export const TYPES = [
  'login',
  'logout',
  'page_view',
  'purchase',
  'search',
  'add_to_cart',
  'share',
  'comment',
];
export const BASE = Date.UTC(2026, 0, 1);
export const SPAN_MS = 30 * 24 * 3_600_000;

export const usersFor = (docs: number): number => Math.max(1, Math.round(docs / 100));

export function eventIdOf(i: number): string {
  const h = createHash('sha1').update(`read-bench-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function storedDoc(i: number, docs: number) {
  const eventId = eventIdOf(i);
  const timestamp = new Date(BASE + Math.floor((i * SPAN_MS) / docs)).toISOString();
  return {
    _id: eventId,
    eventId,
    userId: `user-${String((i * 7) % usersFor(docs)).padStart(6, '0')}`,
    activityType: TYPES[(i * 13) % TYPES.length],
    timestamp,
    metadata: { page: `/p/${i % 500}`, seq: i },
    version: '1',
    kafka: { topic: 'user-activity-logs', partition: i % 3, offset: String(Math.floor(i / 3)) },
    receivedAt: new Date(timestamp),
  };
}

export type QueryKind =
  | 'newest page'
  | 'by user'
  | 'by user (users endpoint)'
  | 'by type'
  | 'by time window (1 h)'
  | 'by type + window (1 d)'
  | 'cursor pages (newest)'
  | 'cursor pages (by user)';

export const QUERY_KINDS: readonly QueryKind[] = [
  'newest page',
  'by user',
  'by user (users endpoint)',
  'by type',
  'by time window (1 h)',
  'by type + window (1 d)',
  'cursor pages (newest)',
  'cursor pages (by user)',
];

/** A small deterministic generator, so two builds are timed on the same parameters. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The first page's path for a query kind (cursor kinds: the page the cursor walk starts from). */
export function firstPagePath(kind: QueryKind, docs: number, next: () => number): string {
  const user = `user-${String(Math.floor(next() * usersFor(docs))).padStart(6, '0')}`;
  const type = TYPES[Math.floor(next() * TYPES.length)];
  const at = (offset: number) => new Date(BASE + offset).toISOString();
  const hour = Math.floor(next() * (SPAN_MS / 3_600_000 - 1)) * 3_600_000;
  const day = Math.floor(next() * 29) * 24 * 3_600_000;
  switch (kind) {
    case 'newest page':
    case 'cursor pages (newest)':
      return '/v1/activities?limit=20';
    case 'by user':
    case 'cursor pages (by user)':
      return `/v1/activities?userId=${user}&limit=20`;
    case 'by user (users endpoint)':
      return `/v1/users/${user}/activities?limit=20`;
    case 'by type':
      return `/v1/activities?activityType=${type}&limit=20`;
    case 'by time window (1 h)':
      return `/v1/activities?from=${at(hour)}&to=${at(hour + 3_600_000)}&limit=20`;
    case 'by type + window (1 d)':
      return `/v1/activities?activityType=${type}&from=${at(day)}&to=${at(day + 86_400_000)}&limit=20`;
  }
}
