import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, Partitioners, Producer, logLevel } from 'kafkajs';
import type { BenchConfig } from './config';
import { inFreshProcess } from './fresh-process';
import { fullEvent, recordOf } from './events';
import { percentile } from './stats';

const run = promisify(execFile);

/** produceLoop with a producer of its own, in a fresh Node process (see inFreshProcess). */
export function produceLoopInChild(brokers: string, topic: string, opts: ProduceLoopOptions) {
  return inFreshProcess({ kind: 'produce-loop', brokers, topic, opts });
}

/** The bench's own kafkajs client (raw baselines, offsets, cleanup). */
export const benchKafka = (brokers: string): Kafka =>
  new Kafka({ clientId: 'eyego-bench', brokers: [brokers], logLevel: logLevel.WARN });

/** A kafkajs producer with the producer-api's settings (see ActivityPublisher). */
export async function rawProducer(brokers: string): Promise<Producer> {
  const producer = benchKafka(brokers).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export interface ProduceResult {
  events: number;
  seconds: number;
  eventsPerSec: number;
  /** Latency of one send() (one produce call of `batchSize` records), ms. */
  p50Ms: number;
  p99Ms: number;
}

export interface ProduceLoopOptions {
  batchSize: number;
  concurrency: number;
  seconds?: number;
  maxEvents?: number;
  /** Cycle pre-built batches (as the HTTP load generator cycles bodies): times sending only. */
  prebuilt?: boolean;
}

/**
 * `concurrency` loops, each sending `batchSize` records per send() with acks=all and gzip, as the
 * API does per request; stops after `seconds` or once `maxEvents` records were acknowledged.
 */
export async function produceLoop(
  producer: Producer,
  topic: string,
  opts: ProduceLoopOptions,
): Promise<ProduceResult> {
  const pool = opts.prebuilt
    ? Array.from({ length: 20 }, (_, b) =>
        Array.from({ length: opts.batchSize }, (_, i) => recordOf(b * opts.batchSize + i)),
      )
    : [];
  const started = performance.now();
  const deadline = started + (opts.seconds ?? Infinity) * 1000;
  const max = opts.maxEvents ?? Infinity;
  let next = 0;
  let acked = 0;
  const latencies: number[] = [];
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline && next < max) {
      const count = Math.min(opts.batchSize, max - next);
      const messages = opts.prebuilt
        ? pool[(next / opts.batchSize) % pool.length]
        : Array.from({ length: count }, (_, i) => recordOf(next + i));
      next += count;
      const t0 = performance.now();
      await producer.send({
        topic,
        messages,
        acks: -1,
        compression: CompressionTypes.GZIP,
        timeout: 5000,
      });
      latencies.push(performance.now() - t0);
      acked += count;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  return {
    events: acked,
    seconds,
    eventsPerSec: acked / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export interface PerfResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  p50Ms?: number;
  p99Ms?: number;
  summary: string;
}

/** Parses ProducerPerformance's final line ("N records sent, R records/sec (M MB/sec), ..."). */
export function parsePerfSummary(output: string): PerfResult {
  const lines = output.split('\n').filter((l) => /records sent, .* records\/sec/.test(l));
  const summary = lines.at(-1);
  const m =
    summary &&
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/.exec(
      summary,
    );
  if (!summary || !m)
    throw new Error(`ProducerPerformance printed no summary:\n${output.slice(-2000)}`);
  const pct = /(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(summary);
  return {
    records: Number(m[1]),
    recordsPerSec: Number(m[2]),
    mbPerSec: Number(m[3]),
    avgLatencyMs: Number(m[4]),
    p50Ms: pct ? Number(pct[1]) : undefined,
    p99Ms: pct ? Number(pct[3]) : undefined,
    summary: summary.trim(),
  };
}

/**
 * Kafka's own load generator on the same broker and topic, sending real event JSON (a payload file
 * of distinct events) with the same guarantees: acks=all, idempotence, gzip, one request in flight.
 */
export async function producerPerformance(config: BenchConfig, topic: string): Promise<PerfResult> {
  const payloads = join(config.outDir, `${config.runId}-payloads.txt`);
  writeFileSync(
    payloads,
    Array.from({ length: 2000 }, (_, i) => JSON.stringify(fullEvent(i))).join('\n'),
  );
  const { stdout } = await run(
    'bash',
    [
      join(config.rootDir, 'scripts', 'kafka-tools.sh'),
      'perf-producer',
      ...['--topic', topic, '--num-records', String(config.perfRecords), '--throughput', '-1'],
      ...['--payload-file', payloads],
      '--producer-props',
      `bootstrap.servers=${config.brokers}`,
      'acks=all',
      'compression.type=gzip',
      'enable.idempotence=true',
      'max.in.flight.requests.per.connection=1',
    ],
    { cwd: config.rootDir, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
  );
  return parsePerfSummary(stdout);
}
