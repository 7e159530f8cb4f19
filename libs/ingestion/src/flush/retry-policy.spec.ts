import { Logger } from '@nestjs/common';
import { Clock, RetryPolicy, waitWithTicks } from './retry-policy';
import { RetriesExhausted, RetryAborted, RetryHooks, retrying } from './retrying';

const settings = {
  immediateAttempts: 3,
  immediateDelayMs: 100,
  backoffBaseMs: 500,
  backoffMaxMs: 300_000,
  backoffSteps: 3,
};

/** A clock whose sleeps advance time instantly, recording each wait. */
class FakeClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}

function hooks(clock: FakeClock, policy: RetryPolicy, cancelled = () => false) {
  const seen = { heartbeats: 0, holds: 0, retries: [] as { kind: string; delay: number }[] };
  const h: RetryHooks = {
    clock,
    policy,
    logger: new Logger('test'),
    heartbeatEveryMs: 3000,
    heartbeat: () => {
      seen.heartbeats += 1;
      return Promise.resolve();
    },
    hold: () => (seen.holds += 1),
    cancelled,
    onRetry: (kind, _retry, delay) => seen.retries.push({ kind, delay }),
  };
  return { h, seen };
}

describe('RetryPolicy', () => {
  it('retries three times at 100 ms, then backs off exponentially with jitter', () => {
    const policy = new RetryPolicy(settings, () => 1);
    expect([1, 2, 3].map((n) => policy.delayBefore(n, 'other'))).toEqual([100, 100, 100]);
    expect([4, 5, 6].map((n) => policy.delayBefore(n, 'other'))).toEqual([500, 1000, 2000]);
    const low = new RetryPolicy(settings, () => 0);
    expect(low.delayBefore(6, 'other')).toBe(1000);
  });

  it('caps backoff at five minutes and never gives up on transient failures', () => {
    const policy = new RetryPolicy(settings, () => 1);
    expect(policy.delayBefore(40, 'transient')).toBe(300_000);
    expect(policy.delayBefore(1000, 'transient')).toBe(300_000);
  });

  it('gives unclassified failures a budget of immediate retries plus backoff steps', () => {
    const policy = new RetryPolicy(settings, () => 1);
    expect(policy.delayBefore(6, 'other')).not.toBeNull();
    expect(policy.delayBefore(7, 'other')).toBeNull();
    expect(policy.budget).toBe(6);
  });
});

describe('retrying', () => {
  it('keeps retrying a store that refuses connections, holding the partition and heartbeating while it waits', async () => {
    const clock = new FakeClock();
    const { h, seen } = hooks(clock, new RetryPolicy(settings, () => 1));
    let calls = 0;
    const result = await retrying(h, () => {
      calls += 1;
      if (calls <= 12) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:27017'));
      return Promise.resolve('stored');
    });
    expect(result).toBe('stored');
    expect(seen.retries).toHaveLength(12);
    expect(seen.retries.every((r) => r.kind === 'transient')).toBe(true);
    expect(seen.holds).toBe(12);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(3000);
    expect(seen.heartbeats).toBeGreaterThan(12);
  });

  it('rethrows an unclassified failure with its retry count once the budget is spent', async () => {
    const clock = new FakeClock();
    const { h } = hooks(clock, new RetryPolicy(settings, () => 1));
    const error = await retrying(h, () => Promise.reject(new Error('document failed'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).retries).toBe(6);
    expect(clock.t).toBe(300 + 500 + 1000 + 2000);
  });

  it('stops when its partition is revoked', async () => {
    const clock = new FakeClock();
    const { h } = hooks(clock, new RetryPolicy(settings), () => clock.t > 1000);
    await expect(
      retrying(h, () => Promise.reject(new Error('connect ECONNREFUSED'))),
    ).rejects.toBeInstanceOf(RetryAborted);
  });
});

describe('waitWithTicks', () => {
  it('waits the whole time in slices, ticking after each', async () => {
    const clock = new FakeClock();
    let ticks = 0;
    await waitWithTicks(clock, 10_000, 3000, () => Promise.resolve(void (ticks += 1)));
    expect(clock.sleeps).toEqual([3000, 3000, 3000, 1000]);
    expect(ticks).toBe(4);
  });
});
