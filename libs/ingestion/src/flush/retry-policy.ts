import type { RetrySettings } from '../ingestion.options';
import type { FailureKind } from '../sink/activity-sink';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The spec's retry policy: a few immediate retries at a fixed short delay, then exponential backoff
 * with full jitter capped at the maximum. Pure: the random source is injected.
 */
export class RetryPolicy {
  constructor(
    private readonly settings: RetrySettings,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Delay before retry number `retry` (1-based), or null when the budget is spent (`permanent`:
   * no retry at all; `other`: the immediate attempts and the backoff steps; `transient`: never).
   */
  delayBefore(retry: number, kind: FailureKind): number | null {
    if (kind === 'permanent') return null;
    const { immediateAttempts, immediateDelayMs, backoffBaseMs, backoffMaxMs, backoffSteps } =
      this.settings;
    if (retry <= immediateAttempts) return immediateDelayMs;
    const step = retry - immediateAttempts;
    if (kind === 'other' && step > backoffSteps) return null;
    const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(step - 1, 30));
    // Half fixed, half random: spreads retries of many consumers but keeps the growth visible.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Retries an unclassified failure gets before the DLQ. */
  get budget(): number {
    return this.settings.immediateAttempts + this.settings.backoffSteps;
  }
}

/**
 * Waits `ms` in slices, calling `tick` between them (heartbeats keep the group membership alive
 * during long backoffs); stops early when `cancelled` turns true.
 */
export async function waitWithTicks(
  clock: Clock,
  ms: number,
  sliceMs: number,
  tick: () => Promise<void>,
  cancelled: () => boolean = () => false,
): Promise<void> {
  const until = clock.now() + ms;
  for (let left = ms; left > 0 && !cancelled(); left = until - clock.now()) {
    await clock.sleep(Math.min(left, sliceMs));
    await tick();
  }
}
