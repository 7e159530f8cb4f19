import { Inject, Injectable } from '@nestjs/common';
import { INGESTION_OPTIONS, IngestionOptions } from '../ingestion.options';
import type { IngestedActivity } from '../sink/activity-sink';
import type { AnalyticsAlert, AnalyticsRule } from './analytics-rule';
import { FailedLoginDetector } from './failed-login-detector';

/**
 * The built-in rule: a user with `threshold` failed logins within `windowMs` (event time) raises
 * one `repeated_login_failed` alert. Off unless IngestionOptions.analytics.failedLogin is set.
 */
@Injectable()
export class FailedLoginRule implements AnalyticsRule {
  readonly name = 'repeated_login_failed';
  private readonly detectors = new Map<number, FailedLoginDetector>();

  constructor(@Inject(INGESTION_OPTIONS) private readonly options: IngestionOptions) {}

  observe(partition: number, events: readonly IngestedActivity[]): AnalyticsAlert[] {
    const settings = this.options.analytics?.failedLogin;
    if (!settings) return [];
    let detector = this.detectors.get(partition);
    if (!detector) {
      detector = new FailedLoginDetector(
        settings.threshold,
        settings.windowMs,
        settings.maxTrackedUsers,
      );
      this.detectors.set(partition, detector);
    }
    const alerts: AnalyticsAlert[] = [];
    for (const event of events) {
      const alert = detector.observe(event);
      if (alert) alerts.push(alert);
    }
    return alerts;
  }

  dropPartition(partition: number): void {
    this.detectors.delete(partition);
  }
}
