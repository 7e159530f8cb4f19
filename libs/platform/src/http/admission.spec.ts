import { AdmissionRequest, HttpAdmission } from './admission';

const request: AdmissionRequest = { method: 'POST', route: '/v1/things', headers: {} };

describe('HttpAdmission', () => {
  it('admits every request while no gate is registered', () => {
    expect(new HttpAdmission().refusal(request)).toBeNull();
  });

  it('asks the registered gates in order and answers the first refusal', () => {
    const admission = new HttpAdmission();
    const asked: string[] = [];
    admission.register({ refusal: () => (asked.push('open'), null) });
    admission.register({ refusal: () => (asked.push('queue'), 'the queue is full') });
    admission.register({ refusal: () => (asked.push('never'), 'not reached') });
    expect(admission.refusal(request)).toBe('the queue is full');
    expect(asked).toEqual(['open', 'queue']);
  });
});
