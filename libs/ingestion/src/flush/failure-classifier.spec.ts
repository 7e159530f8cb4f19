import { classifyCommonFailure, failureCause } from './failure-classifier';

describe('classifyCommonFailure', () => {
  it('treats a broker that does not answer as transient', () => {
    const error = new Error('Connection timeout');
    error.name = 'KafkaJSConnectionError';
    expect(classifyCommonFailure(error)).toBe('transient');
  });

  it('treats refused, reset and timed-out connections of any store as transient', () => {
    expect(classifyCommonFailure(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(
      'transient',
    );
    expect(classifyCommonFailure(new Error('socket hang up: ECONNRESET'))).toBe('transient');
    expect(classifyCommonFailure(new Error('query timed out after 5000 ms'))).toBe('transient');
  });

  it('treats anything else as unclassified', () => {
    expect(classifyCommonFailure(new TypeError('x is undefined'))).toBe('other');
    expect(classifyCommonFailure('a string')).toBe('other');
  });
});

describe('failureCause', () => {
  it('names a full disk, a timeout, an unreachable store, or says error', () => {
    expect(failureCause(new Error('database or disk is full (13)'))).toBe('disk_full');
    expect(failureCause(new Error('the sink did not answer within 30000 ms'))).toBe('timeout');
    expect(failureCause(new Error('connect ECONNREFUSED 127.0.0.1:27017'))).toBe('unreachable');
    expect(failureCause(new TypeError('x is undefined'))).toBe('error');
  });
});
