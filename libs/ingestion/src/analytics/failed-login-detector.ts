import type { ActivityEvent } from '@app/contracts';
import type { AnalyticsAlert } from './analytics-rule';

export interface SuspiciousActivityAlert extends AnalyticsAlert {
  rule: 'repeated_login_failed';
  count: number;
  windowMs: number;
  firstAt: string;
  lastAt: string;
  eventIds: string[];
}

export const FAILED_LOGIN = 'login_failed';

/**
 * Flags a user with `threshold` failed logins within `windowMs` (event time). All of a user's
 * events arrive on one partition, so one detector per partition sees all of them in order.
 * Its state is in memory and belongs to the partition: when the partition is revoked the state is
 * dropped, and the new owner starts empty (a burst spanning a rebalance may go unflagged).
 */
export class FailedLoginDetector {
  /** userId → recent failed logins, oldest first; Map order doubles as least-recently-seen. */
  private readonly recent = new Map<string, { at: number; eventId: string }[]>();

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly maxUsers: number,
  ) {}

  get trackedUsers(): number {
    return this.recent.size;
  }

  /** Feeds one stored event; returns an alert when it completes a burst. */
  observe(event: ActivityEvent): SuspiciousActivityAlert | null {
    if (event.activityType !== FAILED_LOGIN) return null;
    const at = Date.parse(event.timestamp);
    const list = (this.recent.get(event.userId) ?? []).filter((f) => f.at > at - this.windowMs);
    list.push({ at, eventId: event.eventId });
    this.recent.delete(event.userId);
    if (list.length >= this.threshold) {
      // Reset after an alert: the next alert needs a new burst, not one more failure.
      return this.alert(event.userId, list);
    }
    this.recent.set(event.userId, list);
    if (this.recent.size > this.maxUsers) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
    return null;
  }

  private alert(userId: string, list: { at: number; eventId: string }[]): SuspiciousActivityAlert {
    return {
      kind: 'alert',
      rule: 'repeated_login_failed',
      userId,
      count: list.length,
      windowMs: this.windowMs,
      firstAt: new Date(list[0].at).toISOString(),
      lastAt: new Date(list[list.length - 1].at).toISOString(),
      eventIds: list.map((f) => f.eventId),
    };
  }
}
