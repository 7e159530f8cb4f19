/**
 * Activity types of schema 1.x. Adding a type is a minor change: new types may be enabled by
 * configuration (ACTIVITY_TYPES_EXTRA) without a code change, and listed here in the next release.
 */
export const ACTIVITY_TYPES_V1 = [
  'login',
  'logout',
  'login_failed',
  'signup',
  'password_change',
  'password_reset',
  'profile_update',
  'session_start',
  'session_end',
  'page_view',
  'click',
  'search',
  'add_to_cart',
  'remove_from_cart',
  'checkout',
  'purchase',
  'file_upload',
  'file_download',
  'api_call',
] as const;

export type KnownActivityType = (typeof ACTIVITY_TYPES_V1)[number];

/** Format every activity type must have, built-in or configured. */
export const ACTIVITY_TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

export class ActivityTypeRegistry {
  private readonly types: ReadonlySet<string>;

  constructor(extra: readonly string[] = []) {
    for (const type of extra) {
      if (!ACTIVITY_TYPE_PATTERN.test(type)) {
        throw new Error(
          `activity type "${type}" is not valid: it must match ${ACTIVITY_TYPE_PATTERN.source}`,
        );
      }
    }
    this.types = new Set([...ACTIVITY_TYPES_V1, ...extra]);
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  list(): string[] {
    return [...this.types].sort();
  }
}
