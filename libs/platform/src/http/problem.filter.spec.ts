import { ArgumentsHost, Logger } from '@nestjs/common';
import { CodedError, ErrorCode } from '@app/contracts';
import { ProblemException } from './problem.exception';
import { ProblemFilter } from './problem.filter';

function httpHost() {
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    headers: () => reply,
    type: () => reply,
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({
      getRequest: () => ({ id: 'req-7', url: '/v1/activities/batch' }),
      getResponse: () => reply,
    }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('ProblemFilter logging', () => {
  let error: jest.SpyInstance;
  beforeEach(() => {
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => error.mockRestore());

  it('logs an unexpected failure with its stack, and answers without it', () => {
    const { host, sent } = httpHost();
    new ProblemFilter().catch(new Error('disk on fire'), host);
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('disk on fire');
    expect(error).toHaveBeenCalledTimes(1);
    const line = (error.mock.calls as unknown[][])[0][0] as {
      msg: string;
      error: { stack?: string };
    };
    expect(line).toMatchObject({ msg: 'request failed', requestId: 'req-7' });
    expect(line.error.stack).toContain('Error: disk on fire');
  });

  it('answers shed load (503 OVERLOADED) without an error line, however it was raised', () => {
    const before = httpHost();
    new ProblemFilter().catch(
      new ProblemException(503, ErrorCode.OVERLOADED, 'the service is overloaded', undefined, {
        'retry-after': '1',
      }),
      before.host,
    );
    const after = httpHost();
    new ProblemFilter().catch(
      new CodedError(ErrorCode.OVERLOADED, 'the API is overloaded', undefined, 1),
      after.host,
    );
    expect([before.sent.status, after.sent.status]).toEqual([503, 503]);
    expect(error).not.toHaveBeenCalled();
  });

  it('still logs a dependency outage (503 BROKER_UNAVAILABLE) at error level', () => {
    const { host, sent } = httpHost();
    new ProblemFilter().catch(
      new CodedError(ErrorCode.BROKER_UNAVAILABLE, 'Kafka is unavailable', undefined, 5),
      host,
    );
    expect(sent.status).toBe(503);
    expect(error).toHaveBeenCalledTimes(1);
  });
});
