import type { ActivityEvent } from '@app/contracts';

/** A stored event: the event itself plus where it came from and when it was stored. */
export interface StoredActivity extends ActivityEvent {
  kafka: { topic: string; partition: number; offset: string };
  receivedAt: Date;
}
