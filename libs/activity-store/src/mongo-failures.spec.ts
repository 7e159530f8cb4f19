import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { classifyMongoFailure } from './mongo-failures';

describe('classifyMongoFailure', () => {
  it('treats an unreachable or slow database as transient', () => {
    expect(classifyMongoFailure(new MongoNetworkError('connect ECONNREFUSED'))).toBe('transient');
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
    expect(classifyMongoFailure(selection)).toBe('transient');
    const labelled = new MongoServerError({ message: 'not primary', code: 10107 });
    expect(classifyMongoFailure(labelled)).toBe('transient');
  });

  it('treats a broker that does not answer as transient', () => {
    const error = new Error('Connection timeout');
    error.name = 'KafkaJSConnectionError';
    expect(classifyMongoFailure(error)).toBe('transient');
  });

  it('treats a document the server can never take as permanent, also as a bulk write error', () => {
    expect(classifyMongoFailure(new MongoServerError({ message: 'too large', code: 10334 }))).toBe(
      'permanent',
    );
    expect(
      classifyMongoFailure({ index: 3, code: 10334, errmsg: 'object to insert too large' }),
    ).toBe('permanent');
  });

  it('treats a full disk as transient: space comes back, the records wait', () => {
    const sqliteFull = new MongoServerError({
      message:
        '[msg_insert.go:168 handler.(*Handler).MsgInsert] [collection.go:105 sqlite.(*collection).InsertAll] database or disk is full (13)',
      code: 1,
    });
    expect(classifyMongoFailure(sqliteFull)).toBe('transient');
    expect(classifyMongoFailure({ index: 0, code: 14031, errmsg: 'out of disk space' })).toBe(
      'transient',
    );
  });

  it('treats anything else as unclassified', () => {
    expect(classifyMongoFailure(new MongoServerError({ message: 'bad document', code: 2 }))).toBe(
      'other',
    );
    expect(classifyMongoFailure(new TypeError('x is undefined'))).toBe('other');
  });
});
