import { isIP } from 'class-validator';
import type { FieldIssue } from './problem';
import { FORBIDDEN_KEYS, LIMITS, METADATA_KEY_PATTERN } from './limits';

const KNOWN_KEYS = new Set(['ipAddress', 'userAgent', 'sessionId']);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `parent` is the path of the object holding `key`; the key's own path is built only for an issue. */
function checkKey(key: string, parent: string, issues: FieldIssue[]): boolean {
  if (FORBIDDEN_KEYS.has(key)) {
    issues.push({
      field: `${parent}.${key}`,
      message: `key "${key}" is not allowed`,
      rule: 'forbiddenKey',
    });
    return false;
  }
  if (!METADATA_KEY_PATTERN.test(key)) {
    issues.push({
      field: `${parent}.${key}`,
      message: `key must match ${METADATA_KEY_PATTERN.source}`,
      rule: 'keyFormat',
    });
    return false;
  }
  return true;
}

function checkValue(value: unknown, path: string, depth: number, issues: FieldIssue[]): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      issues.push({ field: path, message: 'must be a finite number', rule: 'isFinite' });
    return;
  }
  if (typeof value === 'string') {
    if (value.length > LIMITS.metadataStringMaxLength) {
      issues.push({
        field: path,
        message: `must be at most ${LIMITS.metadataStringMaxLength} characters`,
        rule: 'maxLength',
      });
    }
    return;
  }
  if (depth >= LIMITS.metadataMaxDepth) {
    issues.push({
      field: path,
      message: `nesting deeper than ${LIMITS.metadataMaxDepth} levels`,
      rule: 'maxDepth',
    });
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > LIMITS.metadataMaxArrayLength) {
      issues.push({
        field: path,
        message: `at most ${LIMITS.metadataMaxArrayLength} items`,
        rule: 'maxItems',
      });
      return;
    }
    value.forEach((item, i) => checkValue(item, `${path}[${i}]`, depth + 1, issues));
    return;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (checkKey(key, path, issues)) checkValue(value[key], `${path}.${key}`, depth + 1, issues);
    }
    return;
  }
  issues.push({ field: path, message: 'unsupported value type', rule: 'type' });
}

function checkKnownString(value: unknown, path: string, max: number, issues: FieldIssue[]): void {
  if (typeof value !== 'string') {
    issues.push({ field: path, message: 'must be a string', rule: 'isString' });
  } else if (value.length === 0 || value.length > max) {
    issues.push({ field: path, message: `must be 1 to ${max} characters`, rule: 'length' });
  }
}

/**
 * Rules for `metadata`: known keys typed, free-form keys bounded in count, depth and size.
 * `size: false` leaves the size rule out, for a caller that bounds it otherwise (the validator:
 * the metadata's JSON is part of the event's, which it serializes anyway); see `metadataSizeIssue`.
 */
export function checkMetadata(
  metadata: Record<string, unknown>,
  path = 'metadata',
  { size = true }: { size?: boolean } = {},
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  let extraKeys = 0;
  // Field paths are built only when an issue needs one: this runs for every event.
  for (const key of Object.keys(metadata)) {
    if (!checkKey(key, path, issues)) continue;
    const value = metadata[key];
    if (key === 'ipAddress') {
      if (typeof value !== 'string' || !isIP(value)) {
        issues.push({
          field: `${path}.${key}`,
          message: 'must be an IPv4 or IPv6 address',
          rule: 'isIP',
        });
      }
    } else if (key === 'userAgent') {
      checkKnownString(value, `${path}.${key}`, LIMITS.userAgentMaxLength, issues);
    } else if (key === 'sessionId') {
      checkKnownString(value, `${path}.${key}`, LIMITS.sessionIdMaxLength, issues);
    } else {
      extraKeys += 1;
      checkValue(value, `${path}.${key}`, 1, issues);
    }
  }
  if (extraKeys > LIMITS.metadataMaxExtraKeys) {
    issues.push({
      field: path,
      message: `at most ${LIMITS.metadataMaxExtraKeys} free-form keys`,
      rule: 'maxKeys',
    });
  }
  if (size && issues.length === 0) {
    const tooLarge = metadataSizeIssue(metadata, path);
    if (tooLarge) issues.push(tooLarge);
  }
  return issues;
}

/** The size rule of `metadata` alone (checkMetadata applies it when the other rules passed). */
export function metadataSizeIssue(
  metadata: Record<string, unknown>,
  path = 'metadata',
): FieldIssue | null {
  if (Buffer.byteLength(JSON.stringify(metadata)) <= LIMITS.metadataMaxBytes) return null;
  return { field: path, message: `larger than ${LIMITS.metadataMaxBytes} bytes`, rule: 'maxBytes' };
}

export { KNOWN_KEYS as KNOWN_METADATA_KEYS, isPlainObject };
