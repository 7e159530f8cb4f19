import { sleep } from '../support/app-process';

/** What the load generator learned: which events the API acknowledged (202) and which not. */
export interface LoadResult {
  acked: Set<string>;
  refused: number;
  errors: number;
  /** The longest any request took to get an HTTP answer (a hung API shows here). */
  slowestMs: number;
  firstAckAfter: (t: number) => number | undefined;
  /** When each acknowledged event's request was sent and answered (epoch ms). */
  timings: Map<string, { sentAt: number; ackedAt: number }>;
  /** Which API base URL acknowledged each event (several APIs behind a round robin). */
  ackedVia: Map<string, string>;
  /** When the first request sent at or after `t` was acknowledged. */
  firstAckOfRequestSentAfter: (t: number) => number | undefined;
}

export interface LoadOptions {
  /** Returns the producer API base URL to use now (it may change when the API restarts). */
  url: () => string;
  idPrefix: string;
  batchSize: number;
  /** Target requests per second (each carries batchSize events). */
  requestsPerSecond: number;
  users: number;
  /** Request loops running side by side (concurrent sends exercise the producer's batching). */
  concurrency: number;
}

/**
 * Steady load through POST /v1/activities/batch with client-chosen event ids, so every event
 * can be accounted for whatever the API answered. Bounded: it stops when `stop()` is called.
 */
export class SteadyLoad {
  private running = false;
  private seq = 0;
  private batches = 0;
  private readonly ackTimes: number[] = [];
  private readonly acks: { sentAt: number; ackedAt: number }[] = [];
  private loops: Promise<void>[] = [];
  readonly result: LoadResult;

  constructor(private readonly options: LoadOptions) {
    this.result = {
      acked: new Set(),
      refused: 0,
      errors: 0,
      slowestMs: 0,
      firstAckAfter: (t) => this.ackTimes.find((a) => a >= t),
      timings: new Map(),
      ackedVia: new Map(),
      firstAckOfRequestSentAfter: (t) =>
        this.acks
          .filter((a) => a.sentAt >= t)
          .reduce<number | undefined>((min, a) => Math.min(min ?? a.ackedAt, a.ackedAt), undefined),
    };
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.run());
  }

  async stop(): Promise<LoadResult> {
    this.running = false;
    await Promise.all(this.loops);
    return this.result;
  }

  private async run(): Promise<void> {
    const interval = (1000 * this.options.concurrency) / this.options.requestsPerSecond;
    while (this.running) {
      const started = Date.now();
      await this.sendBatch();
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
  }

  private async sendBatch(): Promise<void> {
    this.batches += 1;
    // The batch id lets a reader check that a batch is on the topic whole or not at all.
    const batch = `${this.options.idPrefix}-b${this.batches}`;
    const events = Array.from({ length: this.options.batchSize }, () => {
      this.seq += 1;
      return {
        eventId: `${this.options.idPrefix}-${String(this.seq).padStart(8, '0')}`,
        userId: `fm-user-${this.seq % this.options.users}`,
        activityType: 'page_view',
        metadata: { seq: this.seq, batch },
      };
    });
    const sent = Date.now();
    const url = this.options.url();
    try {
      const res = await fetch(`${url}/v1/activities/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      this.result.slowestMs = Math.max(this.result.slowestMs, Date.now() - sent);
      if (res.status === 202) {
        const ackedAt = Date.now();
        for (const e of events) {
          this.result.acked.add(e.eventId);
          this.result.timings.set(e.eventId, { sentAt: sent, ackedAt });
          this.result.ackedVia.set(e.eventId, url);
        }
        this.ackTimes.push(ackedAt);
        this.acks.push({ sentAt: sent, ackedAt });
      } else {
        this.result.refused += 1;
      }
    } catch {
      // Connection refused or reset (the API is down): not acknowledged, so not owed.
      this.result.errors += 1;
      await sleep(200);
    }
  }
}
