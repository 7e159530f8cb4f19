// The Eyego activity client: no runtime dependencies, one file that runs in Node.js 20 and in
// browsers (built as an ES module for them: dist/client-sdk/client.js). Only the platform's
// fetch, timers and, where present, CompressionStream, navigator.sendBeacon and addEventListener.
import type { AcceptedOutcome, IngestEvent, PartialBatchResult, Problem } from './api-types';

/** What `track` takes: an event; eventId and timestamp are filled in when absent. */
export type TrackedEvent = Omit<IngestEvent, 'sentAt'>;

export interface ActivityClientOptions {
  /** The producer API's base URL, e.g. `https://ingest.example.com`. */
  endpoint: string;
  /** Sent as x-api-key (and as ?apiKey= on beacons, which cannot set headers). */
  apiKey?: string;
  /** Events per request; a full batch is sent at once. Default 50 (the API takes up to 500). */
  maxBatchSize?: number;
  /** A partial batch is sent after this long. Default 2000 ms. */
  flushIntervalMs?: number;
  /** Events held at most; beyond, the oldest waiting one is dropped (stats.dropped). Default 1000. */
  maxQueueSize?: number;
  /** Attempts per batch before its events count as failed. Default 10. */
  maxAttempts?: number;
  /** Backoff: full jitter over min(maxBackoffMs, baseBackoffMs * 2^attempt). Defaults 250, 10000. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** gzip bodies of at least this many bytes where CompressionStream exists; -1 never. Default 1024. */
  compressMinBytes?: number;
  /** Browsers: on pagehide (and when the page is hidden) send what is left with sendBeacon. Default true. */
  beaconOnPageHide?: boolean;
  /** Called with each failure the client gives up on (a refused event, a batch out of attempts). */
  onError?: (error: ActivityClientError) => void;
  /** For tests: the fetch, clock, randomness and sleep to use. */
  fetch?: FetchLike;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ActivityClientStats {
  /** Events waiting to be sent (not in flight). */
  queued: number;
  inFlight: number;
  /** Events the API acknowledged (202; stored once, whatever retries happened). */
  acknowledged: number;
  /** Events the API refused (4xx for the event itself): retrying cannot help. */
  rejected: number;
  /** Events given up on after maxAttempts, or refused with their whole batch. */
  failed: number;
  /** Events dropped because the queue was full. */
  dropped: number;
  /** Requests retried (network error, 408, 429, 5xx). */
  retries: number;
  /** Events handed to navigator.sendBeacon. */
  beaconed: number;
}

export class ActivityClientError extends Error {
  constructor(
    message: string,
    readonly eventIds: string[],
    readonly status?: number,
    readonly problem?: Problem,
  ) {
    super(message);
    this.name = 'ActivityClientError';
  }
}

interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}
type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string | Uint8Array;
    keepalive?: boolean;
  },
) => Promise<ResponseLike>;

/** What the client needs of a browser, found on globalThis when it is one. */
interface BrowserGlobals {
  navigator?: { sendBeacon?: (url: string, data: unknown) => boolean };
  document?: { visibilityState?: string };
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
  Blob?: new (parts: unknown[], options?: { type?: string }) => { stream(): unknown };
  CompressionStream?: new (format: string) => unknown;
  Response?: new (body: unknown) => { arrayBuffer(): Promise<ArrayBuffer> };
  crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array };
}
/** Timers as both platforms have them (the browser build has no Node or DOM typings). */
interface Timers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
  setTimeout(callback: () => void, ms: number): unknown;
}
const platform = globalThis as unknown as BrowserGlobals & Timers & { fetch?: FetchLike };

/** Beacons are limited to 64 KiB per page; each one stays well below. */
const BEACON_MAX_BYTES = 60 * 1024;
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** evt_ + 26 characters (48-bit time, 80 random bits, Crockford base 32): the API's own format. */
export function newClientEventId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = new Uint8Array(16);
  if (platform.crypto?.getRandomValues) platform.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  let random = '';
  for (let i = 0; i < 16; i += 1) random += CROCKFORD[bytes[i] % 32];
  return `evt_${time}${random}`;
}

interface Queued {
  event: TrackedEvent & { eventId: string; timestamp: string };
}

/**
 * Batches events and sends them to POST /v1/activities/batch (partial mode), one request at a
 * time. Every event gets its eventId when tracked, so each retry is the same request to the
 * API and the pipeline stores it once. 408/429/5xx and network errors are retried with
 * exponential backoff and full jitter, waiting at least Retry-After when the API sends it.
 */
export class ActivityClient {
  private readonly queue: Queued[] = [];
  private inFlight: Queued[] = [];
  private pump: Promise<void> | null = null;
  private timer: unknown = null;
  private closed = false;
  private readonly counters = {
    acknowledged: 0,
    rejected: 0,
    failed: 0,
    dropped: 0,
    retries: 0,
    beaconed: 0,
  };
  private readonly options: Required<Omit<ActivityClientOptions, 'apiKey' | 'onError'>> &
    Pick<ActivityClientOptions, 'apiKey' | 'onError'>;
  private readonly onPageHide = (): void => this.sendBeacons();
  private readonly onVisibility = (): void => {
    if (platform.document?.visibilityState === 'hidden') this.sendBeacons();
  };

  constructor(options: ActivityClientOptions) {
    const fetchImpl = options.fetch ?? platform.fetch?.bind(globalThis);
    if (!fetchImpl) throw new Error('no fetch on this platform; pass options.fetch');
    this.options = {
      maxBatchSize: 50,
      flushIntervalMs: 2000,
      maxQueueSize: 1000,
      maxAttempts: 10,
      baseBackoffMs: 250,
      maxBackoffMs: 10_000,
      compressMinBytes: 1024,
      beaconOnPageHide: true,
      now: () => Date.now(),
      random: Math.random,
      sleep: (ms) => new Promise((resolve) => platform.setTimeout(resolve, ms)),
      ...options,
      endpoint: options.endpoint.replace(/\/+$/, ''),
      fetch: fetchImpl,
    };
    this.timer = platform.setInterval(() => this.kick(), this.options.flushIntervalMs);
    // Node: a pending interval must not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
    if (
      this.options.beaconOnPageHide &&
      platform.addEventListener &&
      platform.navigator?.sendBeacon
    ) {
      platform.addEventListener('pagehide', this.onPageHide);
      platform.addEventListener('visibilitychange', this.onVisibility);
    }
  }

  get stats(): ActivityClientStats {
    return { queued: this.queue.length, inFlight: this.inFlight.length, ...this.counters };
  }

  /** Queues an event and returns its eventId. A full batch is sent at once. */
  track(event: TrackedEvent): string {
    if (this.closed) throw new Error('the client is closed');
    const eventId = event.eventId ?? newClientEventId(this.options.now());
    const timestamp = event.timestamp ?? new Date(this.options.now()).toISOString();
    if (this.queue.length >= this.options.maxQueueSize) {
      this.queue.shift();
      this.counters.dropped += 1;
    }
    this.queue.push({ event: { ...event, eventId, timestamp } });
    if (this.queue.length >= this.options.maxBatchSize) this.kick();
    return eventId;
  }

  /** Resolves when every event tracked so far was acknowledged (or given up on). */
  async flush(): Promise<ActivityClientStats> {
    while (this.queue.length > 0 || this.pump) {
      this.kick();
      await this.pump;
    }
    return this.stats;
  }

  /** Stops the timer and the page-hide hook, then flushes. */
  async close(): Promise<ActivityClientStats> {
    this.closed = true;
    if (this.timer) platform.clearInterval(this.timer);
    this.timer = null;
    platform.removeEventListener?.('pagehide', this.onPageHide);
    platform.removeEventListener?.('visibilitychange', this.onVisibility);
    return this.flush();
  }

  /** Starts sending if nothing is being sent. */
  private kick(): void {
    if (this.pump || this.queue.length === 0) return;
    this.pump = this.drain().finally(() => {
      this.pump = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      this.inFlight = this.queue.splice(0, this.options.maxBatchSize);
      await this.sendWithRetries(this.inFlight);
      this.inFlight = [];
    }
  }

  private async sendWithRetries(batch: Queued[]): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      let waitMs: number;
      try {
        const res = await this.post(batch);
        if (res.status === 202) return this.acknowledge(batch, res);
        const problem = await readProblem(res);
        if (res.status === 413 && batch.length > 1) {
          // Too large for one request: halves, each with its own retries.
          const half = Math.ceil(batch.length / 2);
          await this.sendWithRetries(batch.slice(0, half));
          return this.sendWithRetries(batch.slice(half));
        }
        if (!RETRYABLE.has(res.status)) {
          return this.giveUp(
            batch,
            `the API refused the batch: ${res.status}`,
            res.status,
            problem,
          );
        }
        waitMs = Math.max(retryAfterMs(res), this.backoffMs(attempt));
      } catch (error) {
        waitMs = this.backoffMs(attempt); // network error: the API may be restarting
        if (attempt + 1 >= this.options.maxAttempts) {
          return this.giveUp(batch, `network error: ${String(error)}`);
        }
      }
      if (attempt + 1 >= this.options.maxAttempts) {
        return this.giveUp(batch, `gave up after ${attempt + 1} attempts`);
      }
      this.counters.retries += 1;
      await this.options.sleep(waitMs);
    }
  }

  private backoffMs(attempt: number): number {
    const cap = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** attempt);
    return Math.floor(this.options.random() * cap);
  }

  private async post(batch: Queued[]): Promise<ResponseLike> {
    // sentAt on every attempt: the API corrects the timestamps by this clock's offset.
    const json = JSON.stringify({
      events: batch.map((q) => q.event),
      sentAt: new Date(this.options.now()).toISOString(),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    let body: string | Uint8Array = json;
    const min = this.options.compressMinBytes;
    if (min >= 0 && json.length >= min && platform.CompressionStream) {
      body = await gzip(json);
      headers['content-encoding'] = 'gzip';
    }
    return this.options.fetch(`${this.options.endpoint}/v1/activities/batch?mode=partial`, {
      method: 'POST',
      headers,
      body,
      // A request under 64 KiB may outlive the page (unload); larger ones may not be keepalive.
      keepalive: body.length < BEACON_MAX_BYTES,
    });
  }

  private async acknowledge(batch: Queued[], res: ResponseLike): Promise<void> {
    const text = await res.text();
    const answer = (text ? JSON.parse(text) : {}) as Partial<PartialBatchResult>;
    const refused = (answer.results ?? []).filter(
      (r): r is Exclude<typeof r, AcceptedOutcome> => r.status === 'rejected',
    );
    this.counters.acknowledged += batch.length - refused.length;
    this.counters.rejected += refused.length;
    for (const r of refused) {
      this.options.onError?.(
        new ActivityClientError(
          `event ${r.index} refused: ${r.code} ${r.message}`,
          [batch[r.index]?.event.eventId ?? ''],
          400,
        ),
      );
    }
  }

  private giveUp(batch: Queued[], message: string, status?: number, problem?: Problem): void {
    this.counters.failed += batch.length;
    const ids = batch.map((q) => q.event.eventId);
    this.options.onError?.(new ActivityClientError(message, ids, status, problem));
  }

  /**
   * The page is going away: everything not yet acknowledged goes out with sendBeacon (text/plain,
   * no preflight, the key in the query). In-flight events are sent again; their eventIds make the
   * second copy harmless.
   */
  private sendBeacons(): void {
    const beacon = platform.navigator?.sendBeacon?.bind(platform.navigator);
    const BlobCtor = platform.Blob;
    if (!beacon || !BlobCtor) return;
    const pending = [...this.inFlight, ...this.queue];
    const key = this.options.apiKey ? `?apiKey=${encodeURIComponent(this.options.apiKey)}` : '';
    const url = `${this.options.endpoint}/v1/activities/beacon${key}`;
    let chunk: Queued[] = [];
    const send = (): void => {
      if (chunk.length === 0) return;
      const json = JSON.stringify({
        events: chunk.map((q) => q.event),
        sentAt: new Date(this.options.now()).toISOString(),
      });
      if (beacon(url, new BlobCtor([json], { type: 'text/plain' }))) {
        this.counters.beaconed += chunk.length;
        const sent = new Set(chunk);
        for (let i = this.queue.length - 1; i >= 0; i -= 1) {
          if (sent.has(this.queue[i])) this.queue.splice(i, 1);
        }
      }
      chunk = [];
    };
    let bytes = 0;
    for (const q of pending) {
      const size = JSON.stringify(q.event).length + 1;
      if (bytes + size > BEACON_MAX_BYTES) {
        send();
        bytes = 0;
      }
      chunk.push(q);
      bytes += size;
    }
    send();
  }
}

async function gzip(text: string): Promise<Uint8Array> {
  const { Blob: BlobCtor, CompressionStream: Compression, Response: ResponseCtor } = platform;
  if (!BlobCtor || !Compression || !ResponseCtor) throw new Error('no CompressionStream');
  const stream = (
    new BlobCtor([text]).stream() as { pipeThrough(transform: unknown): unknown }
  ).pipeThrough(new Compression('gzip'));
  return new Uint8Array(await new ResponseCtor(stream).arrayBuffer());
}

/** Retry-After in ms (seconds or an HTTP date), 0 when absent. */
function retryAfterMs(res: ResponseLike): number {
  const value = res.headers.get('retry-after');
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

async function readProblem(res: ResponseLike): Promise<Problem | undefined> {
  try {
    return JSON.parse(await res.text()) as Problem;
  } catch {
    return undefined;
  }
}
