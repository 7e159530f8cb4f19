import { HttpAdmission } from '@app/platform';
import { ProducerApiConfig, loadProducerApiConfig } from '../config/producer-api.config';
import { ActivityPublisher } from '../kafka/activity.publisher';
import { IntakeAdmission, MIN_EVENT_JSON_BYTES } from './intake-admission';

function gateWith(headroom: number) {
  const publisher = { headroom } as unknown as ActivityPublisher;
  const config: ProducerApiConfig = loadProducerApiConfig({ BATCH_MAX_EVENTS: '500' });
  const admission = new HttpAdmission();
  const gate = new IntakeAdmission(publisher, config, admission);
  gate.onModuleInit();
  return { admission, publisher: publisher as { headroom: number } };
}

const post = (route: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  route,
  headers,
});

describe('IntakeAdmission: shedding before the body is read', () => {
  it('admits everything while nothing waits for Kafka', () => {
    const { admission } = gateWith(Number.POSITIVE_INFINITY);
    expect(admission.refusal(post('/v1/activities/batch'))).toBeNull();
    expect(admission.refusal(post('/v1/activities'))).toBeNull();
  });

  it('refuses a single event only when the queue has no room at all', () => {
    const { admission, publisher } = gateWith(1);
    expect(admission.refusal(post('/v1/activities'))).toBeNull();
    publisher.headroom = 0;
    expect(admission.refusal(post('/v1/activities'))).toBe(
      'the send queue has room for 0 events; this request may hold 1',
    );
  });

  it('bounds a batch by its declared size: a small batch still fits where a full one would not', () => {
    const { admission } = gateWith(100);
    const small = String(40 * MIN_EVENT_JSON_BYTES);
    const large = String(150_000);
    expect(admission.refusal(post('/v1/activities/batch', { 'content-length': small }))).toBeNull();
    expect(admission.refusal(post('/v1/activities/batch', { 'content-length': large }))).toBe(
      'the send queue has room for 100 events; this request may hold 500',
    );
    expect(
      admission.refusal(post('/v1/activities/beacon', { 'content-length': large })),
    ).not.toBeNull();
  });

  it('counts a full batch for a compressed or chunked body, whatever its declared size', () => {
    const { admission } = gateWith(100);
    const gzip = { 'content-length': '200', 'content-encoding': 'gzip' };
    expect(admission.refusal(post('/v1/activities/batch', gzip))).toMatch(/may hold 500$/);
    const chunked = { 'transfer-encoding': 'chunked' };
    expect(admission.refusal(post('/v1/activities/batch', chunked))).toMatch(/may hold 500$/);
  });

  it('leaves reads and other routes alone', () => {
    const { admission } = gateWith(0);
    expect(admission.refusal({ method: 'GET', route: '/v1/activities', headers: {} })).toBeNull();
    expect(admission.refusal(post('/v1/other'))).toBeNull();
    expect(admission.refusal({ method: 'POST', route: undefined, headers: {} })).toBeNull();
  });
});
