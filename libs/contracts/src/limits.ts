/** Named limits of the event contract; each one is enforced by ActivityEventValidator. */
export const LIMITS = {
  userIdMaxLength: 128,
  eventIdMaxLength: 64,
  userAgentMaxLength: 512,
  sessionIdMaxLength: 128,
  /** Free-form metadata keys beyond ipAddress, userAgent and sessionId. */
  metadataMaxExtraKeys: 32,
  metadataKeyMaxLength: 64,
  metadataStringMaxLength: 1024,
  /** Nesting depth of metadata values: 1 = flat values only below metadata. */
  metadataMaxDepth: 3,
  metadataMaxArrayLength: 50,
  /** Serialized size of the whole metadata object. */
  metadataMaxBytes: 8 * 1024,
  /** Largest accepted serialized event (value of one Kafka record). */
  eventMaxBytes: 16 * 1024,
  /** An event may not claim to come from further in the future than this (clock skew). */
  timestampMaxFutureSkewMs: 5 * 60 * 1000,
  /** The API rejects events older than this; beyond it they would expire from the topic anyway. */
  timestampMaxAgeMs: 7 * 24 * 60 * 60 * 1000,
  /** Absolute floor for any timestamp, also applied by the consumer. */
  timestampMinIso: '2000-01-01T00:00:00.000Z',
} as const;

export const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;
/** Client-supplied ids must look like ours or be otherwise URL-safe and bounded. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$/;
/** Keys that could poison prototypes or mongo operators are never accepted. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);
export const METADATA_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
