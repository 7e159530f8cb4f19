import { metricSum, sleep } from './stack';
import { percentile } from './stats';

/**
 * 202 → stored, without touching the database: the consumer's stored-events counter is polled
 * (GET /metrics is cheap) and each accepted batch is matched with the first sample at which the
 * counter covered every event accepted up to it. Across partitions this is an estimate (the
 * counter is a sum), good to tell a slow pipeline from a slow read path.
 */
export class StoredLag {
  private readonly samples: { t: number; count: number }[] = [];
  private readonly marks: { t: number; need: number }[] = [];
  private accepted = 0;
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly consumerUrl: string,
    /** Events stored before the measurement (the warm-up). */
    private readonly offset: number,
    intervalMs: number,
  ) {
    this.loop = this.poll(intervalMs);
  }

  static async start(consumerUrl: string, intervalMs = 50): Promise<StoredLag> {
    return new StoredLag(consumerUrl, await storedCount(consumerUrl), intervalMs);
  }

  private async poll(intervalMs: number): Promise<void> {
    while (this.running) {
      const count = await storedCount(this.consumerUrl).catch(() => NaN);
      if (!Number.isNaN(count))
        this.samples.push({ t: performance.now(), count: count - this.offset });
      await sleep(intervalMs);
    }
  }

  /** A batch of `events` was answered 202 at time `t`. */
  accept(events: number, t: number): void {
    this.accepted += events;
    this.marks.push({ t, need: this.accepted });
  }

  /** Stops polling; latencies of batches stored while it ran, and how many never were. */
  async finish(): Promise<{ p50Ms: number; p99Ms: number; unmatched: number }> {
    this.running = false;
    await this.loop;
    const latencies: number[] = [];
    let unmatched = 0;
    for (const mark of this.marks) {
      const hit = this.samples.find((s) => s.t >= mark.t && s.count >= mark.need);
      if (hit) latencies.push(hit.t - mark.t);
      else unmatched += 1;
    }
    return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), unmatched };
  }
}

async function storedCount(consumerUrl: string): Promise<number> {
  const text = await fetch(`${consumerUrl}/metrics`).then((r) => r.text());
  return metricSum(text, 'eyego_events_consumed_total', 'outcome="stored"');
}
