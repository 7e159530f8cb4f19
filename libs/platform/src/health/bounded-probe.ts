/** Rejects with "<what> did not answer within <ms> ms" when `promise` takes longer. */
export const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

interface Outcome {
  startedAt: number;
  error?: Error;
}

/**
 * A dependency check that answers within `timeoutMs` even when the dependency hangs. Concurrent
 * probes share one in-flight check, a settled outcome is reused for `cacheMs`, and a check that
 * hangs past the bound is abandoned so the next probe asks afresh: readiness flips back as soon as
 * the dependency answers again, and a hanging dependency never piles up one request per probe.
 */
export class BoundedProbe {
  private inflight?: { startedAt: number; promise: Promise<void> };
  private last?: Outcome;

  constructor(
    private readonly what: string,
    private readonly check: () => Promise<unknown>,
    private readonly timeoutMs: number,
    private readonly cacheMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when the dependency answered; rejects with the reason when it did not. */
  async run(): Promise<void> {
    const now = this.now();
    if (this.last && now - this.last.startedAt < this.cacheMs) {
      if (this.last.error) throw this.last.error;
      return;
    }
    const current = this.current(now);
    const left = Math.max(1, this.timeoutMs - (now - current.startedAt));
    try {
      await withTimeout(current.promise, left, this.what);
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      this.record({ startedAt: current.startedAt, error: reason });
      throw reason;
    }
  }

  private current(now: number): { startedAt: number; promise: Promise<void> } {
    if (this.inflight && now - this.inflight.startedAt < this.timeoutMs) return this.inflight;
    const startedAt = now;
    const promise = Promise.resolve()
      .then(() => this.check())
      .then(
        () => this.record({ startedAt }),
        (error: unknown) => {
          const reason = error instanceof Error ? error : new Error(String(error));
          this.record({ startedAt, error: reason });
          throw reason;
        },
      );
    // An abandoned check may reject later with nobody awaiting it.
    promise.catch(() => undefined);
    const entry = { startedAt, promise };
    this.inflight = entry;
    void promise
      .finally(() => {
        if (this.inflight === entry) this.inflight = undefined;
      })
      .catch(() => undefined);
    return entry;
  }

  /** Keeps the newest outcome: a late answer from an abandoned check never overrides a newer one. */
  private record(outcome: Outcome): void {
    if (!this.last || outcome.startedAt >= this.last.startedAt) this.last = outcome;
  }
}
