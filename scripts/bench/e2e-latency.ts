import { newEventId } from '@app/contracts';
import { clientEvent } from './events';
import { percentile } from './stats';
import { StoredLag } from './stored-lag';
import { sleep } from './stack';

export interface E2eResult {
  events: number;
  seconds: number;
  eventsPerSec: number;
  probes: number;
  /** Probes not readable within the probe timeout (they count as misses, not as latencies). */
  unreadable: number;
  failedRequests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  postP99Ms: number;
  /** Duration of single read-API requests: tells a slow read path from a slow pipeline. */
  readP50Ms: number;
  readP99Ms: number;
  /** Answers of the read API while probing, by status: evidence when probes never succeed. */
  probeStatuses: Record<string, number>;
  /** From the last send until the consumer had stored every event (NaN: not measured or never). */
  catchUpSeconds: number;
  /** 202 → stored, from the consumer's counter (see StoredLag): the pipeline without the read path. */
  storedP50Ms: number;
  storedP99Ms: number;
}

interface Options {
  producerUrl: string;
  consumerUrl: string;
  rate: number;
  seconds: number;
  batchSize: number;
  sampleEvery: number;
  pollMs: number;
  probeTimeoutMs?: number;
  /** Called once every batch was answered, with the events accepted; resolves with the seconds
   * until the consumer had stored them all. */
  afterSends?: (accepted: number) => Promise<number>;
}

class Probes {
  readonly latencies: number[] = [];
  readonly reads: number[] = [];
  readonly statuses: Record<string, number> = {};
  unreadable = 0;

  constructor(private readonly o: Options) {}

  /** Polls the read API for one event from its 202 until it answers 200. */
  async probe(eventId: string, acceptedAt: number, timeoutMs: number): Promise<boolean> {
    const deadline = acceptedAt + timeoutMs;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      // A request still waiting at the deadline is abandoned: the probe then counts as unreadable.
      const signal = AbortSignal.timeout(Math.max(1, Math.ceil(deadline - t0)));
      const url = `${this.o.consumerUrl}/v1/activities/${eventId}`;
      const res = await fetch(url, { signal }).catch(() => undefined);
      await res?.arrayBuffer().catch(() => undefined);
      this.reads.push(performance.now() - t0);
      const status = String(res?.status ?? 'error');
      this.statuses[status] = (this.statuses[status] ?? 0) + 1;
      if (res?.status === 200) {
        this.latencies.push(performance.now() - acceptedAt);
        return true;
      }
      await sleep(this.o.pollMs);
    }
    this.unreadable += 1;
    return false;
  }
}

async function postBatch(o: Options, events: object[]): Promise<boolean> {
  const res = await fetch(`${o.producerUrl}/v1/activities/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  }).catch(() => undefined);
  await res?.arrayBuffer();
  return res?.status === 202;
}

/** One event through the whole path before timing: the consumer has joined its group. */
export async function warmUp(o: Options, timeoutMs = 60_000): Promise<void> {
  const event = { eventId: newEventId(), ...clientEvent(0) };
  if (!(await postBatch(o, [event]))) throw new Error('warm-up: the producer-api refused an event');
  const ok = await new Probes(o).probe(event.eventId, performance.now(), timeoutMs);
  if (!ok) throw new Error(`warm-up: event not readable within ${timeoutMs} ms`);
}

/**
 * Sends batches at a steady `rate` events/s (on an absolute schedule, so a slow answer does not
 * lower the rate) and, for one event in `sampleEvery`, measures 202 → readable via the read API.
 */
/**
 * Calls `send(b)` for b = 0 .. batches - 1 on an absolute schedule, one every `intervalMs`, not
 * waiting for answers (a slow answer does not lower the rate); resolves once all were started.
 */
async function paced(
  batches: number,
  intervalMs: number,
  send: (b: number) => Promise<void>,
): Promise<Promise<void>[]> {
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let b = 0; b < batches; b += 1) {
    const wait = started + b * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(send(b));
  }
  return sends;
}

const batchOf = (size: number, base: number) =>
  Array.from({ length: size }, (_, i) => ({ eventId: newEventId(), ...clientEvent(base + i) }));

/**
 * The same load with nothing timed, so the measurement sees running apps (compiled hot paths,
 * grown heaps, a consumer in step), not their first seconds; resolves with the events accepted.
 */
export async function steadyLoad(o: Options, seconds: number): Promise<number> {
  const intervalMs = (1000 * o.batchSize) / o.rate;
  let accepted = 0;
  const sends = await paced(Math.round((seconds * 1000) / intervalMs), intervalMs, async (b) => {
    if (await postBatch(o, batchOf(o.batchSize, b * o.batchSize))) accepted += o.batchSize;
  });
  await Promise.all(sends);
  return accepted;
}

export async function endToEnd(o: Options): Promise<E2eResult> {
  const intervalMs = (1000 * o.batchSize) / o.rate;
  const batches = Math.round((o.seconds * 1000) / intervalMs);
  const probes = new Probes(o);
  const lag = await StoredLag.start(o.consumerUrl);
  const posts: number[] = [];
  const probing: Promise<unknown>[] = [];
  let failed = 0;
  const sendBatch = async (base: number): Promise<void> => {
    const events = batchOf(o.batchSize, base);
    const t0 = performance.now();
    const ok = await postBatch(o, events);
    const acceptedAt = performance.now();
    posts.push(acceptedAt - t0);
    if (ok) lag.accept(o.batchSize, acceptedAt);
    if (!ok) return void (failed += 1);
    const sampled = events.filter((_, i) => (base + i) % o.sampleEvery === 0);
    const timeout = o.probeTimeoutMs ?? 10_000;
    probing.push(...sampled.map((e) => probes.probe(e.eventId, acceptedAt, timeout)));
  };
  const started = performance.now();
  const answered = await paced(batches, intervalMs, (b) => sendBatch(b * o.batchSize));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(answered);
  const events = (batches - failed) * o.batchSize;
  const catchUp = o.afterSends?.(events) ?? Promise.resolve(NaN);
  await Promise.all(probing);
  const catchUpSeconds = await catchUp;
  const stored = await lag.finish();
  const { latencies, reads } = probes;
  return {
    events,
    seconds,
    eventsPerSec: events / seconds,
    probes: latencies.length + probes.unreadable,
    unreadable: probes.unreadable,
    failedRequests: failed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length ? Math.max(...latencies) : NaN,
    postP99Ms: percentile(posts, 99),
    readP50Ms: percentile(reads, 50),
    readP99Ms: percentile(reads, 99),
    probeStatuses: probes.statuses,
    catchUpSeconds,
    storedP50Ms: stored.p50Ms,
    storedP99Ms: stored.p99Ms,
  };
}
