// docs/extending/vip-rule.ts — an analytics rule: alerts land on the analytics topic.
import { Injectable } from '@nestjs/common';
import type { AnalyticsAlert, AnalyticsRule, IngestedActivity } from '@app/ingestion';

@Injectable()
export class LargePurchaseRule implements AnalyticsRule {
  readonly name = 'large_purchase';

  observe(_partition: number, events: readonly IngestedActivity[]): AnalyticsAlert[] {
    return events
      .filter((e) => e.activityType === 'purchase' && Number(e.metadata.amount) > 10_000)
      .map((e) => ({ kind: 'alert', rule: this.name, userId: e.userId, eventId: e.eventId }));
  }
}
