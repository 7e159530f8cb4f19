import { Logger } from '@nestjs/common';
import type { FailureKind } from '../sink/activity-sink';
import { classifyCommonFailure } from './failure-classifier';
import { Clock, RetryPolicy, waitWithTicks } from './retry-policy';

/** Raised when a retry loop stops because its partition went away or the app is closing. */
export class RetryAborted extends Error {
  constructor() {
    super('retry aborted: the partition was revoked or the consumer is closing');
    this.name = 'RetryAborted';
  }
}

export interface RetryHooks {
  clock: Clock;
  policy: RetryPolicy;
  logger: Logger;
  /** Slice of a long wait; heartbeats are sent between slices. */
  heartbeatEveryMs: number;
  heartbeat(): Promise<void>;
  /** First wait of a loop: the partition is held (paused) until the loop ends. */
  hold(): void;
  cancelled(): boolean;
  /** `events`: how many records the retried attempt carries (for the metric). */
  onRetry(kind: FailureKind, retry: number, delayMs: number, error: unknown, events?: number): void;
}

/**
 * Runs `attempt` until it succeeds. Transient failures are retried without limit (the dependency
 * will return); unclassified ones within the policy's budget; permanent ones not at all. A failure
 * that is not retried is rethrown as RetriesExhausted with the number of retries made.
 */
export async function retrying<T>(
  hooks: RetryHooks,
  attempt: () => Promise<T>,
  classify: (error: unknown) => FailureKind = classifyCommonFailure,
): Promise<T> {
  let retries = 0;
  let otherRetries = 0;
  for (;;) {
    if (hooks.cancelled()) throw new RetryAborted();
    try {
      return await attempt();
    } catch (error) {
      const kind = classify(error);
      const delay =
        kind === 'transient'
          ? hooks.policy.delayBefore(Math.min(retries + 1, 64), 'transient')
          : hooks.policy.delayBefore(otherRetries + 1, kind);
      if (delay === null) throw new RetriesExhausted(error, retries, kind);
      retries += 1;
      if (kind === 'other') otherRetries += 1;
      hooks.onRetry(kind, retries, delay, error);
      hooks.hold();
      await waitWithTicks(
        hooks.clock,
        delay,
        hooks.heartbeatEveryMs,
        () => hooks.heartbeat(),
        () => hooks.cancelled(),
      );
    }
  }
}

/** A failure that is not retried further; `retries` goes into the DLQ envelope. */
export class RetriesExhausted extends Error {
  constructor(
    override readonly cause: unknown,
    readonly retries: number,
    readonly kind: FailureKind = 'other',
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RetriesExhausted';
  }
}
