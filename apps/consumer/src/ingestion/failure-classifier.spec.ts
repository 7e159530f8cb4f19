import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { classifyFailure } from './failure-classifier';

describe('classifyFailure', () => {
  it('treats an unreachable or slow database as transient', () => {
    expect(classifyFailure(new MongoNetworkError('connect ECONNREFUSED'))).toBe('transient');
    const selection = new MongoServerSelectionError('Server selection timed out', {
      type: 'Unknown',
      servers: new Map(),
      stale: false,
      compatible: true,
      heartbeatFrequencyMS: 10_000,
      localThresholdMS: 15,
      setName: null,
      maxElectionId: null,
      maxSetVersion: null,
      commonWireVersion: 0,
      logicalSessionTimeoutMinutes: null,
    } as unknown as ConstructorParameters<typeof MongoServerSelectionError>[1]);
    expect(classifyFailure(selection)).toBe('transient');
    const labelled = new MongoServerError({ message: 'not primary', code: 10107 });
    expect(classifyFailure(labelled)).toBe('transient');
  });

  it('treats a broker that does not answer as transient', () => {
    const error = new Error('Connection timeout');
    error.name = 'KafkaJSConnectionError';
    expect(classifyFailure(error)).toBe('transient');
  });

  it('treats anything else as unclassified', () => {
    expect(classifyFailure(new MongoServerError({ message: 'bad document', code: 2 }))).toBe(
      'other',
    );
    expect(classifyFailure(new TypeError('x is undefined'))).toBe('other');
  });
});
