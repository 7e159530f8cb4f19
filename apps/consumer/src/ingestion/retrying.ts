import { Logger } from '@nestjs/common';
import { FailureKind, RetryPolicy, Clock, waitWithTicks } from './retry-policy';
import { classifyFailure } from './failure-classifier';

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
 * will return); any other failure is retried within the policy's budget and then rethrown with
 * the number of retries made.
 */
export async function retrying<T>(
  hooks: RetryHooks,
  attempt: () => Promise<T>,
  classify: (error: unknown) => FailureKind = classifyFailure,
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
          : hooks.policy.delayBefore(otherRetries + 1, 'other');
      if (delay === null) throw new RetriesExhausted(error, retries);
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

/** An unclassified failure that outlived its retry budget; `retries` goes into the DLQ envelope. */
export class RetriesExhausted extends Error {
  constructor(
    override readonly cause: unknown,
    readonly retries: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RetriesExhausted';
  }
}
