import { logLevel } from 'kafkajs';
import { EOS_RETRIES_WARNING, kafkaLogLevel, writeKafkaLog } from './kafka-log-creator';

const sink = () => ({ error: jest.fn(), warn: jest.fn(), log: jest.fn(), debug: jest.fn() });
const entry = (level: logLevel) => ({
  namespace: 'Consumer',
  level,
  label: 'INFO',
  log: {
    timestamp: '2026-01-01T00:00:00.000Z',
    logger: 'kafkajs',
    message: 'Consumer has joined the group',
    groupId: 'g1',
    topic: 't',
    partition: 2,
  },
});

describe('kafkaLogCreator', () => {
  it('writes kafkajs entries as structured fields instead of one pasted string', () => {
    const logger = sink();
    writeKafkaLog(logger, entry(logLevel.INFO));
    expect(logger.log).toHaveBeenCalledWith({
      msg: 'Consumer has joined the group',
      namespace: 'Consumer',
      groupId: 'g1',
      topic: 't',
      partition: 2,
    });
  });

  it('maps each kafkajs level to the logger level of the same severity', () => {
    const logger = sink();
    writeKafkaLog(logger, entry(logLevel.ERROR));
    writeKafkaLog(logger, entry(logLevel.WARN));
    writeKafkaLog(logger, entry(logLevel.DEBUG));
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.debug).toHaveBeenCalledTimes(1);
    expect(logger.log).not.toHaveBeenCalled();
  });
});

describe('kafkaLogLevel: expected start-up conditions are not errors', () => {
  const line = (namespace: string, level: logLevel, message: string, extra = {}) => ({
    namespace,
    level,
    label: '',
    log: { timestamp: '', logger: 'kafkajs', message, ...extra },
  });

  it('keeps a retriable broker answer that kafkajs retries at debug', () => {
    const loading = line('Connection', logLevel.ERROR, 'Response InitProducerId(key: 22)', {
      error: "The coordinator is loading and hence can't process requests for this group",
    });
    expect(kafkaLogLevel(loading)).toBe(logLevel.DEBUG);
  });

  it('keeps "Topic creation errors" (a concurrent provisioner won) at debug', () => {
    const exists = line('Connection', logLevel.ERROR, 'Response CreateTopics(key: 19)', {
      error: 'Topic creation errors',
    });
    expect(kafkaLogLevel(exists)).toBe(logLevel.DEBUG);
  });

  it('logs a consumer crash on a retriable error, and its restart, at info', () => {
    const crash = line(
      'Consumer',
      logLevel.ERROR,
      "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
    );
    expect(kafkaLogLevel(crash)).toBe(logLevel.INFO);
    expect(
      kafkaLogLevel(line('Consumer', logLevel.ERROR, 'Restarting the consumer in 300ms')),
    ).toBe(logLevel.INFO);
  });

  it('turns the bounded-retries warning into debug', () => {
    expect(kafkaLogLevel(line('Producer', logLevel.WARN, EOS_RETRIES_WARNING))).toBe(
      logLevel.DEBUG,
    );
  });

  it('keeps real failures errors', () => {
    const auth = line('Connection', logLevel.ERROR, 'Response SaslAuthenticate(key: 36)', {
      error: 'SASL SCRAM SHA512 authentication failed',
    });
    expect(kafkaLogLevel(auth)).toBe(logLevel.ERROR);
    const crash = line('Consumer', logLevel.ERROR, 'Crash: KafkaJSNonRetriableError: boom');
    expect(kafkaLogLevel(crash)).toBe(logLevel.ERROR);
  });
});
