import { HealthCheckLogger } from './health-check.logger';

const sink = () => ({ log: jest.fn(), warn: jest.fn(), error: jest.fn() });

describe('HealthCheckLogger', () => {
  it("turns Terminus's failure string into fields naming the failing dependencies", () => {
    const logger = sink();
    new HealthCheckLogger(logger).error(
      'Health Check has failed! {"kafka":{"status":"up"},"mongodb":{"status":"down","message":"connect ECONNREFUSED"}}',
    );
    expect(logger.warn).toHaveBeenCalledWith({
      msg: 'health check failed',
      failing: ['mongodb'],
      details: {
        kafka: { status: 'up' },
        mongodb: { status: 'down', message: 'connect ECONNREFUSED' },
      },
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('passes any other error through unchanged', () => {
    const logger = sink();
    new HealthCheckLogger(logger).error('something else', 'stack');
    expect(logger.error).toHaveBeenCalledWith('something else', 'stack');
  });
});
