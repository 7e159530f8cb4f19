import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'eyego_';
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every metric of both apps, in one catalogue so names and labels stay consistent with the
 * dashboards and alert rules in deploy/. Label values for errors are ErrorCode strings.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /** producer-api: outcome = accepted | rejected (4xx, label code) | failed (broker). */
  readonly eventsProduced = new Counter({
    name: `${PREFIX}events_produced_total`,
    help: 'Events received by the producer API, by outcome and error code',
    labelNames: ['outcome', 'code'] as const,
    registers: [this.registry],
  });
  readonly produceDuration = new Histogram({
    name: `${PREFIX}produce_duration_seconds`,
    help: 'Time from send to broker acknowledgement of one produce call',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /** Ingestion engine, per consumer group: outcome = stored | duplicate | dead_lettered | retried. */
  readonly eventsConsumed = new Counter({
    name: `${PREFIX}events_consumed_total`,
    help: 'Records handled by the consumer, by outcome and consumer group',
    labelNames: ['outcome', 'group'] as const,
    registers: [this.registry],
  });
  readonly flushSize = new Histogram({
    name: `${PREFIX}consumer_flush_size`,
    help: 'Documents written per database flush, by consumer group',
    labelNames: ['group'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
    registers: [this.registry],
  });
  readonly flushDuration = new Histogram({
    name: `${PREFIX}consumer_flush_duration_seconds`,
    help: 'Latency of one database flush (bulk insert), by consumer group',
    labelNames: ['group'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  /** Ingestion engine: failed sink writes (retried or dead-lettered) by kind and cause. */
  readonly sinkFailures = new Counter({
    name: `${PREFIX}sink_failures_total`,
    help: 'Failed sink (database) writes of the ingestion engine, by group, failure kind and cause',
    labelNames: ['group', 'kind', 'cause'] as const,
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({
    name: `${PREFIX}consumer_lag`,
    help: 'Records behind the end of the partition (end offset - committed offset) for the group',
    labelNames: ['topic', 'partition', 'group'] as const,
    registers: [this.registry],
  });
  readonly dlqRecords = new Counter({
    name: `${PREFIX}dlq_records_total`,
    help: 'Records written to the dead-letter topic, by error code',
    labelNames: ['code', 'group'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }
}
