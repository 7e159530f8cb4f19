/**
 * Schema versions: `major.minor.patch` (the spec's `1.0` is read as `1.0.0`). Every 1.x.y is
 * readable; another major is rejected with UNSUPPORTED_SCHEMA_VERSION. Older accepted shapes are
 * brought to the current one by pure upcasters, applied in order.
 */
export const CURRENT_SCHEMA_VERSION = '1.0.0';
export const SUPPORTED_MAJOR = 1;

export interface SchemaVersion {
  major: number;
  minor: number;
  patch: number;
}

const VERSION_PATTERN = /^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})(?:\.(0|[1-9]\d{0,3}))?$/;

/** Parses `1`, `1.0` or `1.0.0` style strings; returns null for anything else. */
export function parseSchemaVersion(value: unknown): SchemaVersion | null {
  if (typeof value !== 'string') return null;
  const match = VERSION_PATTERN.exec(value);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

export const formatSchemaVersion = (v: SchemaVersion): string => `${v.major}.${v.minor}.${v.patch}`;

export type RawEvent = Record<string, unknown>;

export interface Upcaster {
  /** What the upgrade does, for logs and docs. */
  description: string;
  /** True when this upgrade applies to the raw event as received. */
  appliesTo(raw: RawEvent): boolean;
  /** Pure: returns a new object, never mutates its input. */
  upgrade(raw: RawEvent): RawEvent;
}

/**
 * Producers written against the spec's example send `"version": "1.0"` and some send the
 * timestamp as epoch milliseconds and omit empty metadata. 1.0.0 wants an ISO-8601 string and an
 * object.
 */
export const legacyTwoPartVersionUpcaster: Upcaster = {
  description:
    'spec-era 1.0 events: epoch-millisecond timestamps to ISO-8601, metadata defaults to {}',
  appliesTo: (raw) => raw.version === '1.0',
  upgrade: (raw) => ({
    ...raw,
    version: CURRENT_SCHEMA_VERSION,
    timestamp:
      typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp)
        ? new Date(raw.timestamp).toISOString()
        : raw.timestamp,
    metadata: raw.metadata === undefined ? {} : raw.metadata,
  }),
};

export const UPCASTERS: readonly Upcaster[] = [legacyTwoPartVersionUpcaster];

/** Applies every upcaster that applies, in registry order. */
export function upcast(raw: RawEvent, upcasters: readonly Upcaster[] = UPCASTERS): RawEvent {
  return upcasters.reduce((event, u) => (u.appliesTo(event) ? u.upgrade(event) : event), raw);
}
