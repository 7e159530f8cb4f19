import { Injectable, OnModuleInit } from '@nestjs/common';
import { AdmissionGate, AdmissionRequest, HttpAdmission } from '@app/platform';
import { BEACON_ROUTE, ProducerApiConfig } from '../config/producer-api.config';
import { ActivityPublisher } from '../kafka/activity.publisher';

/** The intake routes (ActivitiesController) and what they publish. */
const ONE_EVENT_ROUTE = '/v1/activities';
const BATCH_ROUTES: ReadonlySet<string> = new Set(['/v1/activities/batch', BEACON_ROUTE]);
/** The smallest event a batch can carry, with its comma: no body of n bytes holds more. */
export const MIN_EVENT_JSON_BYTES = Buffer.byteLength('{"userId":"a","activityType":"a"},');

/**
 * Sheds an intake request before its body is read when the publisher's send queue could not take
 * the events it may hold (PRODUCER_MAX_PENDING_RECORDS). Without it such a request was parsed and
 * validated, then refused, and its slot went to the next body: the CPU went to parsing what was
 * thrown away and the sends starved (the README's overload section has the figures).
 */
@Injectable()
export class IntakeAdmission implements AdmissionGate, OnModuleInit {
  constructor(
    private readonly publisher: ActivityPublisher,
    private readonly config: ProducerApiConfig,
    private readonly admission: HttpAdmission,
  ) {}

  onModuleInit(): void {
    this.admission.register(this);
  }

  refusal({ method, route, headers }: AdmissionRequest): string | null {
    if (method !== 'POST' || route === undefined) return null;
    if (route !== ONE_EVENT_ROUTE && !BATCH_ROUTES.has(route)) return null;
    const headroom = this.publisher.headroom;
    if (headroom === Number.POSITIVE_INFINITY) return null;
    const most = route === ONE_EVENT_ROUTE ? 1 : this.mostEventsIn(headers);
    if (most <= headroom) return null;
    return `the send queue has room for ${headroom} events; this request may hold ${most}`;
  }

  /** An upper bound on a batch body's events, from its declared size and the batch limit. */
  private mostEventsIn(headers: AdmissionRequest['headers']): number {
    const max = this.config.http.batchMaxEvents;
    const length = Number(headers['content-length']);
    // A compressed or chunked body's size says nothing of its events: count a full batch.
    if (headers['content-encoding'] !== undefined || !Number.isFinite(length)) return max;
    return Math.min(max, Math.max(1, Math.floor(length / MIN_EVENT_JSON_BYTES)));
  }
}
